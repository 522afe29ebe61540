using Ticketing.Testing;
using System.Net;
using System.Text.Json;

namespace Ticketing.Api.Tests;

public sealed class EventsApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task CreateEvent_WithValidBody_Returns201WithLocation()
    {
        var response = await fixture.App.Organizer().PostJson("/api/events", new { title = "Opening night", startsAt = "2030-06-01T19:30:00+02:00", venue = "Main hall" });

        var created = await response.AssertJson(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal($"/api/events/{id}", response.Headers.Location?.ToString());
        Assert.Equal("Opening night", created.GetProperty("title").GetString());
        Assert.Equal(DateTimeOffset.Parse("2030-06-01T17:30:00Z", System.Globalization.CultureInfo.InvariantCulture), created.GetProperty("startsAt").GetDateTimeOffset());
        Assert.Equal("Main hall", created.GetProperty("venue").GetString());
        Assert.Equal(0, created.GetProperty("tiers").GetArrayLength());

        var read = await (await fixture.App.CreateClient().GetAsync($"/api/events/{id}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("Opening night", read.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("""{"startsAt":"2030-06-01T19:30:00Z"}""", "title")]
    [InlineData("""{"title":"   ","startsAt":"2030-06-01T19:30:00Z"}""", "title")]
    [InlineData("""{"title":"No date"}""", "startsAt")]
    [InlineData("""{"title":"Bad date","startsAt":"next tuesday"}""", null)]
    [InlineData("""{"title":"Broken""", null)]
    [InlineData("""[]""", null)]
    public async Task CreateEvent_WithInvalidBody_Returns422AndWritesNothing(string body, string? field)
    {
        var before = await Count("ticketing.events");

        var response = await fixture.App.Organizer().PostRaw("/api/events", body);

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        }

        Assert.Equal(before, await Count("ticketing.events"));
    }

    [Fact]
    public async Task GetEvent_WhenUnknown_Returns404Problem()
    {
        var response = await fixture.App.CreateClient().GetAsync($"/api/events/{Guid.NewGuid()}");

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task ListEvents_ShowsUpcomingEventsWithTheirTiers()
    {
        var organizer = fixture.App.Organizer();
        var upcoming = await CreateEvent("Upcoming", "2031-01-01T20:00:00Z");
        await CreateEvent("Past", "2001-01-01T20:00:00Z");
        await organizer.PostJson($"/api/events/{upcoming}/tiers", new { name = "GA", priceCents = 2500, currency = "eur", capacity = 100 });

        var list = await (await fixture.App.CreateClient().GetAsync("/api/events")).AssertJson(HttpStatusCode.OK);

        var titles = list.EnumerateArray().Select(e => e.GetProperty("title").GetString()).ToList();
        Assert.Contains("Upcoming", titles);
        Assert.DoesNotContain("Past", titles);
        var listed = list.EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == upcoming);
        Assert.Equal("GA", listed.GetProperty("tiers")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task CreateTier_WithValidBody_Returns201Tier()
    {
        var eventId = await CreateEvent("Tiered", "2030-07-01T20:00:00Z");

        var response = await fixture.App.Organizer().PostJson($"/api/events/{eventId}/tiers", new { name = "Balcony", priceCents = 4200, currency = "usd", capacity = 50 });

        var tier = await response.AssertJson(HttpStatusCode.Created);
        AssertTier(tier, eventId, capacity: 50, reserved: 0, issued: 0, available: 50, maxPerOrder: 10);
        Assert.Equal("usd", tier.GetProperty("currency").GetString());
        Assert.Equal(4200, tier.GetProperty("priceCents").GetInt64());
        var read = await (await fixture.App.CreateClient().GetAsync($"/api/tiers/{tier.GetProperty("id").GetGuid()}")).AssertJson(HttpStatusCode.OK);
        AssertTier(read, eventId, capacity: 50, reserved: 0, issued: 0, available: 50, maxPerOrder: 10);
    }

    [Theory]
    [InlineData("""{"priceCents":100,"currency":"eur","capacity":10}""", "name")]
    [InlineData("""{"name":"x","priceCents":-1,"currency":"eur","capacity":10}""", "priceCents")]
    [InlineData("""{"name":"x","priceCents":100,"currency":"EUR","capacity":10}""", "currency")]
    [InlineData("""{"name":"x","priceCents":100,"currency":"euro","capacity":10}""", "currency")]
    [InlineData("""{"name":"x","priceCents":100,"currency":"eur","capacity":-5}""", "capacity")]
    [InlineData("""{"name":"x","priceCents":100,"currency":"eur"}""", "capacity")]
    [InlineData("""{"name":"x","priceCents":100,"currency":"eur","capacity":10,"maxPerOrder":0}""", "maxPerOrder")]
    [InlineData("""{"name":"x","priceCents":"lots","currency":"eur","capacity":10}""", null)]
    public async Task CreateTier_WithInvalidBody_Returns422AndWritesNothing(string body, string? field)
    {
        var eventId = await CreateEvent("Validation", "2030-07-01T20:00:00Z");

        var response = await fixture.App.Organizer().PostRaw($"/api/events/{eventId}/tiers", body);

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        }

        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_tiers WHERE event_id = @id", ("id", eventId)));
    }

    [Fact]
    public async Task CreateTier_ForUnknownEvent_Returns404()
    {
        var response = await fixture.App.Organizer().PostJson($"/api/events/{Guid.NewGuid()}/tiers", new { name = "GA", priceCents = 1, currency = "eur", capacity = 1 });

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task GetTier_WhenUnknown_Returns404Problem()
    {
        var response = await fixture.App.CreateClient().GetAsync($"/api/tiers/{Guid.NewGuid()}");

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    private async Task<Guid> CreateEvent(string title, string startsAt)
    {
        var response = await fixture.App.Organizer().PostJson("/api/events", new { title, startsAt });
        return (await response.AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid();
    }

    private async Task<long> Count(string table) => (long)(await fixture.Database.ScalarAsync($"SELECT count(*) FROM {table}"))!;

    internal static void AssertTier(JsonElement tier, Guid eventId, int capacity, int reserved, int issued, int available, int maxPerOrder)
    {
        Assert.Equal(eventId, tier.GetProperty("eventId").GetGuid());
        Assert.Equal(capacity, tier.GetProperty("capacity").GetInt32());
        Assert.Equal(reserved, tier.GetProperty("reserved").GetInt32());
        Assert.Equal(issued, tier.GetProperty("issued").GetInt32());
        Assert.Equal(available, tier.GetProperty("available").GetInt32());
        Assert.Equal(maxPerOrder, tier.GetProperty("maxPerOrder").GetInt32());
    }
}
