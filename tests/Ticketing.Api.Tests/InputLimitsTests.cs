using System.Net;
using System.Text;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>Bad input gets a clear problem before any work is done, and changes nothing.</summary>
public sealed class InputLimitsTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Theory]
    [InlineData("/api/events", 16 * 1024 + 1)]
    [InlineData("/api/holds", 100_000)]
    [InlineData("/api/webhooks/stripe", 64 * 1024 + 1)]
    public async Task Body_OverItsRoutesLimit_Returns413AndChangesNothing(string path, int size)
    {
        var before = await CountsAsync();
        using var content = new StringContent("{\"title\":\"" + new string('a', size) + "\"}", Encoding.UTF8, "application/json");
        var client = path.Contains("webhooks", StringComparison.Ordinal) ? App.CreateClient() : App.ClientFor("big-sender", "organizer", "buyer");
        client.DefaultRequestHeaders.TryAddWithoutValidation("Stripe-Signature", "t=1,v1=00");

        var response = await client.PostAsync(path, content);

        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Body_WithoutALength_OverTheLimit_Returns413()
    {
        var before = await CountsAsync();
        using var content = new UnknownLength("{\"title\":\"" + new string('a', 40_000) + "\",\"startsAt\":\"2031-01-01T20:00:00Z\"}");

        var response = await App.Organizer().PostAsync("/api/events", content);

        await response.AssertProblem(HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        Assert.Equal(before, await CountsAsync());
    }

    [Theory]
    [InlineData("title", @"Gig\u0000night")]
    [InlineData("venue", @"Hall\u0000")]
    [InlineData("title", @"Bell\u0007")]
    [InlineData("organizationId", @"org\u0000")]
    public async Task CreateEvent_WithControlCharacters_Returns422AndWritesNothing(string field, string escapedValue)
    {
        var body = field == "title"
            ? $$"""{"title":"{{escapedValue}}","startsAt":"2031-01-01T20:00:00Z"}"""
            : $$"""{"title":"Fine","startsAt":"2031-01-01T20:00:00Z","{{field}}":"{{escapedValue}}"}""";
        var before = await CountsAsync();

        var response = await App.Organizer().PostRaw("/api/events", body);

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task CreateEvent_WithHalfASurrogatePair_Returns422AndWritesNothing()
    {
        var before = await CountsAsync();

        var response = await App.Organizer().PostRaw("/api/events", """{"title":"Half \ud800 a pair","startsAt":"2031-01-01T20:00:00Z"}""");

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(before, await CountsAsync());
    }

    [Theory]
    [InlineData("""{"name":"GA\u0000","priceCents":100,"currency":"eur","capacity":1}""", "name")]
    [InlineData("""{"name":"GA","priceCents":100000000,"currency":"eur","capacity":1}""", "priceCents")]
    [InlineData("""{"name":"GA","priceCents":9223372036854775807,"currency":"eur","capacity":1}""", "priceCents")]
    public async Task CreateTier_WithBadValues_Returns422AndWritesNothing(string body, string field)
    {
        var eventId = (await (await App.Organizer().PostJson("/api/events", new { title = "Limits", startsAt = "2031-01-01T20:00:00Z" }))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var before = await CountsAsync();

        var response = await App.Organizer().PostRaw($"/api/events/{eventId}/tiers", body);

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Tier_AtTheHighestPrice_IsAccepted()
    {
        var eventId = (await (await App.Organizer().PostJson("/api/events", new { title = "Dear", startsAt = "2031-01-01T20:00:00Z" }))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var response = await App.Organizer().PostJson($"/api/events/{eventId}/tiers", new { name = "Gold", priceCents = 99_999_999, currency = "eur", capacity = 1 });

        await response.AssertJson(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("""{"token":"abc\u0000","eventId":"00000000-0000-0000-0000-000000000001"}""", "token")]
    [InlineData("""{"token":"abc","eventId":"00000000-0000-0000-0000-000000000001","gate":"North\u0000"}""", "gate")]
    public async Task Scan_WithControlCharacters_Returns422AndRecordsNothing(string body, string field)
    {
        var before = await CountsAsync();

        var response = await App.Scanner().PostRaw("/api/scans", body);

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Order_WithTooManyHolds_OrAControlCharacterInTheContact_Returns422()
    {
        var holds = Enumerable.Range(0, 21).Select(_ => Guid.NewGuid()).ToArray();

        var many = await App.Buyer().PostJson("/api/orders", new { holdIds = holds, contact = new { email = "a@example.com", name = "A" } });
        var control = await App.Buyer().PostJson("/api/orders", new { holdIds = holds[..1], contact = new { email = "a@example.com", name = "A\u0000" } });

        await many.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        await control.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task Refund_NamingTooManyTickets_Returns422()
    {
        var ticketIds = Enumerable.Range(0, 201).Select(_ => Guid.NewGuid()).ToArray();

        var response = await App.Organizer().PostJson($"/api/orders/{Guid.NewGuid()}/refund", new { ticketIds });

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task IdempotencyKey_WithAControlCharacter_Returns422()
    {
        var client = App.Organizer();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Idempotency-Key", "key\u0001");

        var response = await client.PostJson("/api/events", new { title = "Keyed", startsAt = "2031-01-01T20:00:00Z" });

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.events WHERE title = 'Keyed'"));
    }

    /// <summary>A body sent without a Content-Length, as a chunked upload is.</summary>
    private sealed class UnknownLength : HttpContent
    {
        private readonly byte[] bytes;

        public UnknownLength(string json)
        {
            bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private async Task<string> CountsAsync() => (string)(await fixture.Database.ScalarAsync(
        """
        SELECT concat_ws(',',
            (SELECT count(*) FROM ticketing.events), (SELECT count(*) FROM ticketing.ticket_tiers),
            (SELECT count(*) FROM ticketing.ticket_holds), (SELECT count(*) FROM ticketing.orders),
            (SELECT count(*) FROM ticketing.ticket_scans), (SELECT count(*) FROM ticketing.stripe_events),
            (SELECT count(*) FROM ticketing.idempotency_keys))
        """))!;
}
