using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ticketing.Api.Auth;

namespace Ticketing.Testing;

/// <summary>A buyer's way through checkout, over HTTP, paying through the emulator.</summary>
public static class Checkout
{
    /// <summary>The contact e-mail address of the orders placed here, unless one is named.</summary>
    public const string ContactEmail = "buyer@example.com";

    public static async Task<Guid> HoldAsync(this HttpClient buyer, Guid tierId, int quantity)
    {
        var hold = await (await buyer.PostJson("/api/holds", new { tierId, quantity })).AssertJson(HttpStatusCode.Created);
        return hold.GetProperty("id").GetGuid();
    }

    public static Task<JsonElement> PlaceOrderAsync(this HttpClient buyer, params Guid[] holdIds) =>
        buyer.PlaceOrderAsync(ContactEmail, holdIds);

    public static async Task<JsonElement> PlaceOrderAsync(this HttpClient buyer, string email, params Guid[] holdIds) =>
        await (await buyer.PostJson("/api/orders", new { holdIds, contact = new { email, name = "A Buyer" } }))
            .AssertJson(HttpStatusCode.Created);

    /// <summary>Holds and orders <paramref name="quantity"/> tickets; answers the order id and its payment intent.</summary>
    public static async Task<(Guid OrderId, string PaymentIntentId)> OrderAsync(this HttpClient buyer, Guid tierId, int quantity, string email = ContactEmail)
    {
        var order = await buyer.PlaceOrderAsync(email, await buyer.HoldAsync(tierId, quantity));
        return (order.GetProperty("id").GetGuid(), order.GetProperty("payment").GetProperty("paymentIntentId").GetString()!);
    }

    /// <summary>Orders <paramref name="quantity"/> tickets, pays through the emulator and waits for them; answers the order id.</summary>
    public static async Task<Guid> PaidOrderAsync(this TicketingApp app, HttpClient buyer, Guid tierId, int quantity, string email = ContactEmail)
    {
        var (orderId, intentId) = await buyer.OrderAsync(tierId, quantity, email);
        app.Stripe.Control.Succeed(intentId);
        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        return orderId;
    }

    public static async Task<JsonElement> GetOrderAsync(this HttpClient client, Guid orderId) =>
        await (await client.GetAsync($"/api/orders/{orderId}")).AssertJson(HttpStatusCode.OK);

    /// <summary>
    /// Waits until the order reaches <paramref name="status"/> (fails the test
    /// after <paramref name="seconds"/>) as a buyer's page does: each read waits
    /// on the server while the status is still the one last seen
    /// (<c>waitWhile</c>), and a wait answered early with nothing changed (an
    /// order grain on its way out answers its waiters at once) is asked again
    /// a second later, so the reads stay within the orders rate limit.
    /// </summary>
    public static async Task<JsonElement> WaitForStatusAsync(this HttpClient client, Guid orderId, string status, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var order = await client.GetOrderAsync(orderId);
        while (order.GetProperty("status").GetString() is { } seen && seen != status && DateTime.UtcNow < deadline)
        {
            var asked = DateTime.UtcNow;
            var wait = Math.Clamp((int)Math.Ceiling((deadline - asked).TotalSeconds), 1, 20);
            order = await (await client.GetAsync($"/api/orders/{orderId}?waitWhile={seen}&waitSeconds={wait}")).AssertJson(HttpStatusCode.OK);
            if (order.GetProperty("status").GetString() == seen && asked.AddSeconds(1) - DateTime.UtcNow is { Ticks: > 0 } early)
            {
                await Task.Delay(early);
            }
        }

        Assert.Equal(status, order.GetProperty("status").GetString());
        return order;
    }

    public static async Task<JsonElement[]> TicketsAsync(this HttpClient client, Guid orderId) =>
        [.. (await (await client.GetAsync($"/api/orders/{orderId}/tickets")).AssertJson(HttpStatusCode.OK)).EnumerateArray()];

    /// <summary>
    /// The database's own view of the invariants: no fulfilled (or refunded)
    /// order without all its tickets, and every tier's issued count equal to
    /// its live tickets.
    /// </summary>
    public static async Task AssertConsistentAsync(this TestDatabase database)
    {
        var ordersShort = (long)(await database.ScalarAsync(
            """
            SELECT count(*) FROM ticketing.orders o
            WHERE o.status IN ('fulfilled', 'refunded', 'partially_refunded', 'disputed')
              AND (SELECT count(*) FROM ticketing.tickets t WHERE t.order_id = o.id)
                  <> (SELECT sum(quantity) FROM ticketing.order_items i WHERE i.order_id = o.id)
            """))!;
        Assert.Equal(0L, ordersShort);
        var tiersOff = (long)(await database.ScalarAsync(
            """
            SELECT count(*) FROM ticketing.ticket_tiers tt
            WHERE tt.issued_quantity <> (SELECT count(*) FROM ticketing.tickets t WHERE t.tier_id = tt.id AND t.status = 'issued')
            """))!;
        Assert.Equal(0L, tiersOff);
    }

    /// <summary>A Stripe event signed the way Stripe signs it, with the tests' webhook secret.</summary>
    public static HttpRequestMessage SignedWebhook(string payload, DateTimeOffset? signedAt = null, string secret = StripeEmulatorHost.WebhookSecret)
    {
        var timestamp = (signedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}")));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks/stripe") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", $"t={timestamp},v1={signature}");
        return request;
    }

    /// <summary>A payment_intent.succeeded event as Stripe would send it.</summary>
    public static string PaymentSucceededEvent(string eventId, string paymentIntentId, Guid orderId, long amount, string currency = "eur") =>
        JsonSerializer.Serialize(new
        {
            id = eventId,
            @object = "event",
            api_version = Stripe.StripeConfiguration.ApiVersion,
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            type = "payment_intent.succeeded",
            livemode = false,
            pending_webhooks = 1,
            data = new
            {
                @object = new
                {
                    id = paymentIntentId,
                    @object = "payment_intent",
                    amount,
                    amount_received = amount,
                    currency,
                    status = "succeeded",
                    latest_charge = "ch_" + paymentIntentId[3..],
                    metadata = new Dictionary<string, string> { ["order_id"] = orderId.ToString() },
                },
            },
        });

    public static HttpClient Buyer2(this TicketingApp app) => app.ClientFor("buyer-2", Roles.Buyer);
}
