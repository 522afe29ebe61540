using Ticketing.Testing;
using System.Net;

namespace Ticketing.Api.Tests;

public sealed class TierCapacityTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task ChangeCapacity_AboveCommitted_Returns200()
    {
        var (eventId, tierId) = await CreateTier(capacity: 10);

        var response = await fixture.App.Organizer().PatchAsync($"/api/tiers/{tierId}", Json("""{"capacity":25}"""));

        var tier = await response.AssertJson(HttpStatusCode.OK);
        EventsApiTests.AssertTier(tier, eventId, capacity: 25, reserved: 0, issued: 0, available: 25, maxPerOrder: 10);
    }

    [Fact]
    public async Task ChangeCapacity_BelowReservedPlusIssued_Returns409AndChangesNothing()
    {
        var (_, tierId) = await CreateTier(capacity: 10);
        await fixture.App.Buyer("buyer-a").PostJson("/api/holds", new { tierId, quantity = 3 });
        await fixture.App.Buyer("buyer-b").PostJson("/api/holds", new { tierId, quantity = 4 });

        var response = await fixture.App.Organizer().PatchAsync($"/api/tiers/{tierId}", Json("""{"capacity":6}"""));

        var problem = await response.AssertProblem(HttpStatusCode.Conflict, "capacity-below-committed");
        Assert.Contains("7", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(10, await fixture.Database.ScalarAsync("SELECT quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
    }

    [Fact]
    public async Task ChangeCapacity_ToExactlyCommitted_Returns200WithNothingAvailable()
    {
        var (eventId, tierId) = await CreateTier(capacity: 10);
        await fixture.App.Buyer("buyer-c").PostJson("/api/holds", new { tierId, quantity = 5 });

        var response = await fixture.App.Organizer().PatchAsync($"/api/tiers/{tierId}", Json("""{"capacity":5}"""));

        var tier = await response.AssertJson(HttpStatusCode.OK);
        EventsApiTests.AssertTier(tier, eventId, capacity: 5, reserved: 5, issued: 0, available: 0, maxPerOrder: 10);
        Assert.Equal(5, await fixture.Database.ScalarAsync("SELECT quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
    }

    [Fact]
    public async Task ChangeCapacity_ByBuyer_Returns403()
    {
        var (_, tierId) = await CreateTier(capacity: 10);

        var response = await fixture.App.Buyer().PatchAsync($"/api/tiers/{tierId}", Json("""{"capacity":1}"""));

        await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(10, await fixture.Database.ScalarAsync("SELECT quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"capacity":-1}""")]
    public async Task ChangeCapacity_WithInvalidBody_Returns422(string body)
    {
        var (_, tierId) = await CreateTier(capacity: 10);

        var response = await fixture.App.Organizer().PatchAsync($"/api/tiers/{tierId}", Json(body));

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task ChangeCapacity_OfUnknownTier_Returns404()
    {
        var response = await fixture.App.Organizer().PatchAsync($"/api/tiers/{Guid.NewGuid()}", Json("""{"capacity":1}"""));

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private async Task<(Guid EventId, Guid TierId)> CreateTier(int capacity)
    {
        var organizer = fixture.App.Organizer();
        var created = await (await organizer.PostJson("/api/events", new { title = "Capacity", startsAt = "2030-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);
        var eventId = created.GetProperty("id").GetGuid();
        var tier = await (await organizer.PostJson($"/api/events/{eventId}/tiers", new { name = "GA", priceCents = 1000, currency = "eur", capacity })).AssertJson(HttpStatusCode.Created);
        return (eventId, tier.GetProperty("id").GetGuid());
    }
}
