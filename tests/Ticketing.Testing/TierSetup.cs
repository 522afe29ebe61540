using System.Net;

namespace Ticketing.Testing;

/// <summary>Sets up events and tiers through the API, as an organiser would.</summary>
public static class TierSetup
{
    public static async Task<Guid> CreateAsync(TicketingApp app, int capacity, int maxPerOrder = 10, long priceCents = 2500)
    {
        var organizer = app.Organizer();
        var created = await (await organizer.PostJson("/api/events", new { title = "Test event", startsAt = "2031-01-01T20:00:00Z" }))
            .AssertJson(HttpStatusCode.Created);
        var eventId = created.GetProperty("id").GetGuid();
        var tier = await (await organizer.PostJson($"/api/events/{eventId}/tiers", new { name = "GA", priceCents, currency = "eur", capacity, maxPerOrder }))
            .AssertJson(HttpStatusCode.Created);
        return tier.GetProperty("id").GetGuid();
    }

    /// <summary>Another tier in the same event as <paramref name="tierId"/>.</summary>
    public static async Task<Guid> AddSiblingAsync(TicketingApp app, Guid tierId, int capacity, long priceCents = 4000)
    {
        var organizer = app.Organizer();
        var tier = await (await organizer.GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        var eventId = tier.GetProperty("eventId").GetGuid();
        var sibling = await (await organizer.PostJson($"/api/events/{eventId}/tiers", new { name = "VIP", priceCents, currency = "eur", capacity }))
            .AssertJson(HttpStatusCode.Created);
        return sibling.GetProperty("id").GetGuid();
    }
}
