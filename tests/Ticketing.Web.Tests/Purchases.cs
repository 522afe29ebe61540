using System.Net;
using System.Text.Json;
using Ticketing.Api.Auth;
using Ticketing.Testing;

namespace Ticketing.Web.Tests;

/// <summary>A journey's setup over the API: events, tiers and paid orders, paid through the emulator process.</summary>
public static class Purchases
{
    /// <summary>The organization every journey's event belongs to (organizer-1's personal one, as scripts/run.sh names it).</summary>
    public const string Organization = "organizer-1";

    public static HttpClient Organizer(WebWorld world) => Sessions.Api(world, Organization, [Roles.Organizer]);

    /// <summary>A new event of <see cref="Organization"/> with one tier; answers both ids.</summary>
    public static async Task<(Guid EventId, Guid TierId)> EventAsync(WebWorld world, string title, int capacity = 100, long priceCents = 2500)
    {
        var organizer = Organizer(world);
        var created = await (await organizer.PostJson("/api/events", new { title, startsAt = DateTimeOffset.UtcNow.AddDays(30), venue = "Hall 1" }))
            .AssertJson(HttpStatusCode.Created);
        var eventId = created.GetProperty("id").GetGuid();
        var tier = await (await organizer.PostJson($"/api/events/{eventId}/tiers", new { name = "General admission", priceCents, currency = "eur", capacity }))
            .AssertJson(HttpStatusCode.Created);
        return (eventId, tier.GetProperty("id").GetGuid());
    }

    /// <summary>Orders <paramref name="quantity"/> tickets as <paramref name="buyerId"/> (giving <paramref name="email"/>), pays on the emulator and waits for them.</summary>
    public static async Task<(Guid OrderId, JsonElement[] Tickets)> PaidOrderAsync(WebWorld world, string buyerId, Guid tierId, int quantity, string email = Checkout.ContactEmail)
    {
        var buyer = Sessions.Api(world, buyerId, [Roles.Buyer]);
        var (orderId, intentId) = await buyer.OrderAsync(tierId, quantity, email);
        using var stripe = new HttpClient { BaseAddress = world.Stripe.Address };
        (await stripe.PostAsync(new Uri($"/_emulator/payment_intents/{intentId}/succeed", UriKind.Relative), null)).EnsureSuccessStatusCode();
        await buyer.WaitForStatusAsync(orderId, "fulfilled", seconds: 60);
        return (orderId, await buyer.TicketsAsync(orderId));
    }
}
