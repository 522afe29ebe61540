using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Ticketing.Grains.Tiers;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// Time and failure: unpaid orders expiring with their holds, money arriving
/// after the capacity is gone, and a silo dying between payment and issuance.
/// Each test has its own database and silo, with 5-second holds.
/// </summary>
public sealed class OrderRecoveryTests
{
    // Long enough that a busy machine (the whole suite on two cores) places an
    // order before its hold lapses.
    private static readonly Dictionary<string, string?> ShortHolds = new()
    {
        ["Ticketing:Holds:Ttl"] = "00:00:05",
        ["Ticketing:Holds:ExpiryScan"] = "00:00:00.2",
        ["Ticketing:Holds:WakeUp"] = "00:00:02",
    };

    [Fact]
    public async Task ExpiredHold_FreesCapacity_AndTheUnpaidOrderExpires()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, ShortHolds).Start();
        var tierId = await TierSetup.CreateAsync(app, capacity: 2);
        var buyer = app.Buyer("buyer-expiring");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);

        var order = await buyer.WaitForStatusAsync(orderId, "expired");

        Assert.Contains("not paid", order.GetProperty("statusReason").GetString(), StringComparison.Ordinal);
        await app.Stripe.Control.WaitForDeliveredAsync("payment_intent.canceled", intentId);
        var tier = await Eventually.Value(
            async () => await (await app.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK),
            t => t.GetProperty("available").GetInt32() == 2,
            TimeSpan.FromSeconds(10));
        Assert.Equal(2, tier.GetProperty("available").GetInt32());
        // The tier answers from memory as soon as it frees the seats; its row follows with the tier's next write.
        Assert.Equal(0, await Eventually.Value(
            () => database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)),
            reserved => Equals(reserved, 0),
            TimeSpan.FromSeconds(10)));
        // The freed tickets sell again.
        var (next, nextIntent) = await app.Buyer("buyer-next").OrderAsync(tierId, 2);
        app.Stripe.Control.Succeed(nextIntent);
        await app.Buyer("buyer-next").WaitForStatusAsync(next, "fulfilled");
        await database.AssertConsistentAsync();
    }

    [Fact]
    public async Task LatePayment_AfterTheCapacityWasSold_IsRefundedAutomatically()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, ShortHolds).Start();
        using var unfulfillable = new MetricCollector<long>(app.Services.GetRequiredService<IMeterFactory>(), TierMetrics.MeterName, "orders_unfulfillable");
        var tierId = await TierSetup.CreateAsync(app, capacity: 1, priceCents: 3000);
        var late = app.Buyer("buyer-late");
        var (lateOrder, lateIntent) = await late.OrderAsync(tierId, 1);

        // Stripe cannot be told to cancel the payment when the order expires, so
        // the buyer's page can still pay it after someone else bought the ticket.
        app.StripeOutage = request => request.RequestUri!.AbsolutePath.EndsWith("/cancel", StringComparison.Ordinal);
        await late.WaitForStatusAsync(lateOrder, "expired");
        app.StripeOutage = null;
        var other = app.Buyer("buyer-on-time");
        var (otherOrder, otherIntent) = await Eventually.Value(
            async () => await TryOrder(other, tierId),
            placed => placed is not null,
            TimeSpan.FromSeconds(10)) ?? throw new InvalidOperationException("The expired hold's ticket never came back to sale.");
        app.Stripe.Control.Succeed(otherIntent);
        await other.WaitForStatusAsync(otherOrder, "fulfilled");

        app.Stripe.Control.Succeed(lateIntent);

        var order = await late.WaitForStatusAsync(lateOrder, "unfulfillable");
        Assert.Contains("sold out", order.GetProperty("statusReason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(await late.TicketsAsync(lateOrder), t => t.GetProperty("status").GetString() == "issued");
        await app.Stripe.Control.WaitForDeliveriesAsync(a => a.Any(d => d.EventType == "charge.refunded" && d.Succeeded));
        // Once a second: the buyer's reads of orders are rate-limited (a token a second).
        var refunded = await Eventually.Value(() => late.GetOrderAsync(lateOrder), o => o.GetProperty("refundedCents").GetInt64() == 3000, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        Assert.Equal(3000, refunded.GetProperty("refundedCents").GetInt64());
        Assert.Equal(1, Assert.Single(unfulfillable.GetMeasurementSnapshot()).Value);
        Assert.Equal(1, await database.ScalarAsync("SELECT issued_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
        await database.AssertConsistentAsync();
    }

    [Fact]
    public async Task SiloKilled_BetweenPaymentAndIssuance_CompletesAfterRestart()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var stripe = new StripeEmulatorHost();
        await database.ScalarAsync(
            """
            CREATE FUNCTION public.refuse_tickets() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'test: issuance refused'; END $$;
            CREATE TRIGGER refuse_tickets BEFORE INSERT ON ticketing.tickets FOR EACH ROW EXECUTE FUNCTION public.refuse_tickets();
            """);
        Guid orderId;
        await using (var first = new TicketingApp(database, stripe: stripe).Start())
        {
            var tierId = await TierSetup.CreateAsync(first, capacity: 5);
            (orderId, var intentId) = await first.Buyer("buyer-crash").OrderAsync(tierId, 3);
            stripe.Control.Succeed(intentId);

            // The payment is durable, the issuance failed, and Stripe was told to retry.
            await Eventually.Value(
                () => database.ScalarAsync("SELECT status FROM ticketing.orders WHERE id = @id", ("id", orderId)),
                status => (string?)status == "paid",
                TimeSpan.FromSeconds(20));
            await stripe.Control.WaitForDeliveriesAsync(a => a.Any(d => d.EventType == "payment_intent.succeeded" && d.StatusCode == 500));
        } // the silo is gone

        Assert.Equal("paid", await database.ScalarAsync("SELECT status FROM ticketing.orders WHERE id = @id", ("id", orderId)));
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE order_id = @id", ("id", orderId)));
        await database.ScalarAsync("DROP TRIGGER refuse_tickets ON ticketing.tickets");

        await using var second = new TicketingApp(database, stripe: stripe).Start();

        await second.Buyer("buyer-crash").WaitForStatusAsync(orderId, "fulfilled");
        Assert.Equal(3, (await second.Buyer("buyer-crash").TicketsAsync(orderId)).Length);
        await database.AssertConsistentAsync();
    }

    [Fact]
    public async Task FailedWebhook_IsRetriedFromTheInbox_WithoutStripeSendingItAgain()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:Holds:WakeUp"] = "00:00:02" }).Start();
        var tierId = await TierSetup.CreateAsync(app, capacity: 5, priceCents: 1000);
        var buyer = app.Buyer("buyer-inbox");
        app.Stripe.Control.ConfigureDelivery(new Ticketing.StripeEmulator.Webhooks.DeliverySettings(Paused: true)); // only our own delivery below
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        await database.ScalarAsync("ALTER TABLE ticketing.orders ADD CONSTRAINT test_refuse_payment CHECK (paid_at IS NULL) NOT VALID");
        var eventId = "evt_inbox_" + orderId.ToString("N");

        var refused = await app.CreateClient().SendAsync(Checkout.SignedWebhook(Checkout.PaymentSucceededEvent(eventId, intentId, orderId, 2000)));

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal("failed", await database.ScalarAsync("SELECT status FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)));
        Assert.Equal("awaiting_payment", await database.ScalarAsync("SELECT status FROM ticketing.orders WHERE id = @id", ("id", orderId)));
        // The order that could not save goes at once and is read back: it never answers what it failed to store.
        Assert.Equal("awaiting_payment", (await buyer.GetOrderAsync(orderId)).GetProperty("status").GetString());

        await database.ScalarAsync("ALTER TABLE ticketing.orders DROP CONSTRAINT test_refuse_payment");

        await buyer.WaitForStatusAsync(orderId, "fulfilled", seconds: 40);
        var status = await Eventually.Value(
            () => database.ScalarAsync("SELECT status FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)),
            value => (string?)value == "processed",
            TimeSpan.FromSeconds(10));
        Assert.Equal("processed", status);
        Assert.Equal(2, await database.ScalarAsync("SELECT attempts FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)));
        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
        await database.AssertConsistentAsync();
    }

    [Fact]
    public async Task PaymentWebhook_TheInboxCannotStore_Answers500_AndTheRedeliveryIssuesOnce()
    {
        // A payment's success is acted on while the inbox stores it: when the
        // store fails the order may already be paid; Stripe is told to retry,
        // and the repeat issues nothing twice.
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database).Start();
        var tierId = await TierSetup.CreateAsync(app, capacity: 5, priceCents: 1000);
        var buyer = app.Buyer("buyer-unstored");
        app.Stripe.Control.ConfigureDelivery(new Ticketing.StripeEmulator.Webhooks.DeliverySettings(Paused: true)); // only our own deliveries below
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        await database.ScalarAsync(
            """
            CREATE FUNCTION public.refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'test: inbox refused'; END $$;
            CREATE TRIGGER refuse_events BEFORE INSERT ON ticketing.stripe_events FOR EACH ROW EXECUTE FUNCTION public.refuse_events();
            """);
        var eventId = "evt_unstored_" + orderId.ToString("N");
        var client = app.CreateClient();

        var refused = await client.SendAsync(Checkout.SignedWebhook(Checkout.PaymentSucceededEvent(eventId, intentId, orderId, 2000)));

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)));
        // the order did not wait for the inbox
        Assert.Equal("fulfilled", await database.ScalarAsync("SELECT status FROM ticketing.orders WHERE id = @id", ("id", orderId)));

        await database.ScalarAsync("DROP TRIGGER refuse_events ON ticketing.stripe_events");
        var delivered = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            client.SendAsync(Checkout.SignedWebhook(Checkout.PaymentSucceededEvent(eventId, intentId, orderId, 2000)))));

        Assert.All(delivered, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
        Assert.Equal("processed", await database.ScalarAsync("SELECT status FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)));
        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
        Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE order_id = @id", ("id", orderId)));
        await database.AssertConsistentAsync();
    }

    private static async Task<(Guid, string)?> TryOrder(HttpClient buyer, Guid tierId)
    {
        var hold = await buyer.PostJson("/api/holds", new { tierId, quantity = 1 });
        if (hold.StatusCode != HttpStatusCode.Created)
        {
            return null;
        }

        var order = await buyer.PlaceOrderAsync((await hold.AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid());
        return (order.GetProperty("id").GetGuid(), order.GetProperty("payment").GetProperty("paymentIntentId").GetString()!);
    }
}
