using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Abstractions.OnSales;
using Ticketing.Grains;
using Ticketing.Grains.OnSales;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>The waiting room through the API: joining, waiting as a page does, admission, and the passes holds need.</summary>
public sealed class QueueApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    /// <summary>Fast enough that a test's few buyers are admitted in a round or two.</summary>
    private const int QuickRate = 6000;

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    private TicketingApp App => fixture.App;

    [Fact]
    public async Task Join_WithoutAnOnSale_Is404()
    {
        var (eventId, _) = await EventAsync();

        await (await App.Buyer().PostAsync($"/api/events/{eventId}/queue", null)).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await App.Buyer().GetAsync($"/api/events/{eventId}/queue")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await App.Buyer().PostAsync($"/api/events/{Guid.NewGuid()}/queue", null)).AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("21")]
    [InlineData("soon")]
    public async Task Wait_OutOfRange_Is422(string waitSeconds)
    {
        var (eventId, _) = await EventAsync();
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow.AddDays(1), QuickRate);

        var response = await App.Buyer().GetAsync($"/api/events/{eventId}/queue?waitSeconds={waitSeconds}");

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task RacingJoins_GiveEachBuyerOnePlace()
    {
        // Forty joins at once from one buyer is a race on purpose, not a page:
        // a silo of its own lets this buyer burst 40 (the default is 10), so
        // every join reaches the queue.
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:RateLimits:Queue:Burst"] = "40" }).Start();
        var (eventId, _) = await EventAsync(app);
        await OnSaleSetup.PutAsync(app, eventId, DateTimeOffset.UtcNow.AddDays(1), QuickRate);
        var racer = app.Buyer("racer");
        var crowd = Enumerable.Range(0, 120).Select(i => app.Buyer($"crowd-{i}")).ToArray();

        var again = await Gate.Race(40, _ => OnSaleSetup.JoinAsync(racer, eventId));
        var many = await Gate.Race(crowd.Length, i => OnSaleSetup.JoinAsync(crowd[i], eventId));

        Assert.Single(again.Select(ticket => ticket.GetProperty("joinedAt").GetDateTimeOffset()).Distinct());
        Assert.All(again.Concat(many), ticket => Assert.Equal("waiting", ticket.GetProperty("status").GetString()));
        Assert.All(many, ticket => Assert.True(ticket.GetProperty("position").GetInt64() >= 1));
        Assert.Equal(1L, await Count(database, "SELECT count(*) FROM ticketing.queue_entries WHERE user_id = 'racer'"));
        Assert.Equal(121L, await Count(database, "SELECT count(DISTINCT user_id) FROM ticketing.queue_entries e JOIN ticketing.onsales o ON o.id = e.onsale_id WHERE o.event_id = @event", ("event", eventId)));
        Assert.Equal(121L, await Count(database, "SELECT count(DISTINCT arrival) FROM ticketing.queue_entries e JOIN ticketing.onsales o ON o.id = e.onsale_id WHERE o.event_id = @event", ("event", eventId)));
        Assert.Equal(121L, await Count(database, "SELECT count(*) FROM ticketing.queue_entries e JOIN ticketing.onsales o ON o.id = e.onsale_id WHERE o.event_id = @event AND e.early", ("event", eventId)));
    }

    [Fact]
    public async Task BeforeTheOpening_ABuyerWaits_AndHoldsAre403()
    {
        var (eventId, tierId) = await EventAsync();
        var opensAt = DateTimeOffset.UtcNow.AddDays(1);
        await OnSaleSetup.PutAsync(App, eventId, opensAt, QuickRate);
        var buyer = App.Buyer("too-early");

        var joined = await OnSaleSetup.JoinAsync(buyer, eventId);
        var waited = await (await buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=1")).AssertJson(HttpStatusCode.OK);

        foreach (var ticket in new[] { joined, waited })
        {
            Assert.Equal("waiting", ticket.GetProperty("status").GetString());
            Assert.Equal(eventId, ticket.GetProperty("eventId").GetGuid());
            Assert.True(ticket.GetProperty("position").GetInt64() >= 1);
            Assert.True(ticket.GetProperty("estimatedAdmissionAt").GetDateTimeOffset() >= opensAt.AddSeconds(-1));
            Assert.Equal(JsonValueKind.Null, ticket.GetProperty("pass").ValueKind);
        }

        Assert.Equal(joined.GetProperty("joinedAt").GetDateTimeOffset(), waited.GetProperty("joinedAt").GetDateTimeOffset());
        var refused = await (await OnSaleSetup.HoldAsync(buyer, tierId, 1, pass: null)).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
        Assert.Contains("Admission-Pass", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wait_AnswersAsSoonAsTheBuyerIsAdmitted()
    {
        var (eventId, _) = await EventAsync();
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow.AddSeconds(3), QuickRate);
        var buyer = App.Buyer("long-poller");
        await OnSaleSetup.JoinAsync(buyer, eventId);

        var clock = Stopwatch.StartNew();
        var answer = await (await buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=20")).AssertJson(HttpStatusCode.OK);

        Assert.Equal("admitted", answer.GetProperty("status").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(19), $"answered after {clock.Elapsed}, at the wait's end rather than at the admission");
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("position").ValueKind);
        var pass = answer.GetProperty("pass");
        Assert.Equal(answer.GetProperty("estimatedAdmissionAt").GetDateTimeOffset().AddMinutes(10), pass.GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task AWait_AskedAfterTheAdmission_AnswersAtOnce()
    {
        var (eventId, _) = await EventAsync();
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow, QuickRate);
        var buyer = App.Buyer("asked-again-late");
        await OnSaleSetup.JoinAsync(buyer, eventId);
        var admitted = await OnSaleSetup.AdmittedAsync(buyer, eventId, Within);

        // A page whose last answer said waiting asks again after its admission came.
        var clock = Stopwatch.StartNew();
        var answer = await (await buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=20")).AssertJson(HttpStatusCode.OK);

        Assert.Equal("admitted", answer.GetProperty("status").GetString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"answered after {clock.Elapsed}: the admission heard a whole wait late");
        Assert.Equal(OnSaleSetup.Pass(admitted), OnSaleSetup.Pass(answer));
    }

    [Fact]
    public async Task ManyWaits_ParkOnTheSilo_AndEachIsAnsweredAtItsAdmission()
    {
        var (eventId, _) = await EventAsync();
        // Scheduled far ahead and brought forward once every poll is parked.
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow.AddDays(1), QuickRate);
        var buyers = Enumerable.Range(0, 30).Select(i => App.Buyer($"parked-{i}")).ToArray();
        await Gate.Race(buyers.Length, i => OnSaleSetup.JoinAsync(buyers[i], eventId));
        var watch = App.Services.GetRequiredService<QueueWatch>();

        var clock = Stopwatch.StartNew();
        var waits = buyers.Select(buyer => buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=20")).ToArray();
        await Eventually.True(() => watch.Parked >= buyers.Length, TimeSpan.FromSeconds(10), $"{buyers.Length} polls parked on the silo");
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow, QuickRate);
        var answers = await Task.WhenAll(waits.Select(async wait => await (await wait).AssertJson(HttpStatusCode.OK)));

        Assert.All(answers, answer => Assert.Equal("admitted", answer.GetProperty("status").GetString()));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(19), $"answered after {clock.Elapsed}, at the waits' end rather than at the admissions");
        Assert.Equal(buyers.Length, answers.Select(OnSaleSetup.Pass).Distinct().Count());
        // An answered poll leaves nothing parked (other tests' polls end within their 20 s).
        await Eventually.True(() => watch.Parked == 0, TimeSpan.FromSeconds(25), "no poll left parked");
    }

    [Fact]
    public async Task AParkedPoll_WhoseTurnComes_HasTheBuyersAllowanceReadyBeforeTheirFirstHold()
    {
        var (capped, cappedTier) = await EventAsync();
        var (uncapped, _) = await EventAsync();
        await OnSaleSetup.PutAsync(App, capped, DateTimeOffset.UtcNow.AddDays(1), QuickRate, maxPerBuyer: 4);
        await OnSaleSetup.PutAsync(App, uncapped, DateTimeOffset.UtcNow.AddDays(1), QuickRate);
        var buyer = App.Buyer("turn-near");
        await OnSaleSetup.JoinAsync(buyer, capped);
        await OnSaleSetup.JoinAsync(buyer, uncapped);
        Assert.False(await AllowanceActiveAsync(capped, "turn-near"));

        var waits = new[] { capped, uncapped }.Select(eventId => buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=20")).ToArray();
        var watch = App.Services.GetRequiredService<QueueWatch>();
        await Eventually.True(() => watch.Parked >= 2, TimeSpan.FromSeconds(10), "both polls parked on the silo");
        await OnSaleSetup.PutAsync(App, capped, DateTimeOffset.UtcNow, QuickRate, maxPerBuyer: 4);
        await OnSaleSetup.PutAsync(App, uncapped, DateTimeOffset.UtcNow, QuickRate);
        var answers = await Task.WhenAll(waits.Select(async wait => await (await wait).AssertJson(HttpStatusCode.OK)));

        Assert.All(answers, answer => Assert.Equal("admitted", answer.GetProperty("status").GetString()));
        Assert.True(await Eventually.Value(() => AllowanceActiveAsync(capped, "turn-near"), active => active, TimeSpan.FromSeconds(5)), "the capped on-sale's allowance made ready");
        Assert.False(await AllowanceActiveAsync(uncapped, "turn-near"));
        await (await OnSaleSetup.HoldAsync(buyer, cappedTier, 2, OnSaleSetup.Pass(answers[0]))).AssertJson(HttpStatusCode.Created);
    }

    [Fact]
    public async Task AParkedPoll_NextInLine_HasTheBuyersAllowanceReadBeforeTheirAdmission()
    {
        var (eventId, _) = await EventAsync();
        // One buyer a minute: the first is let in a minute after the opening, long after their turn is near.
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow, admitPerMinute: 1, maxPerBuyer: 4);
        var buyer = App.Buyer("next-in-line");
        await OnSaleSetup.JoinAsync(buyer, eventId);

        var wait = buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=20");

        Assert.True(await Eventually.Value(() => AllowanceActiveAsync(eventId, "next-in-line"), active => active, TimeSpan.FromSeconds(10)), "the allowance made ready while the buyer waits");
        Assert.False(wait.IsCompleted, "the poll was answered: the buyer was not waiting any more");
        Assert.Equal("waiting", (await (await wait).AssertJson(HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task AWait_WithNoChange_AnswersThePlaceAsItStandsAfterItsSeconds()
    {
        var (eventId, _) = await EventAsync();
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow.AddDays(1), QuickRate);
        var buyer = App.Buyer("patient");
        await OnSaleSetup.JoinAsync(buyer, eventId);

        var clock = Stopwatch.StartNew();
        var answer = await (await buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=2")).AssertJson(HttpStatusCode.OK);

        Assert.Equal("waiting", answer.GetProperty("status").GetString());
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Passes_TheBuyersOwnHolds_AnotherBuyersOrAnExpiredOneIs403()
    {
        var (eventId, tierId) = await EventAsync();
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow, QuickRate);
        var ann = App.Buyer("pass-ann");
        var bob = App.Buyer("pass-bob");
        await OnSaleSetup.JoinAsync(ann, eventId);
        var admitted = await OnSaleSetup.AdmittedAsync(ann, eventId, Within);
        var pass = OnSaleSetup.Pass(admitted);

        await (await OnSaleSetup.HoldAsync(bob, tierId, 1, pass)).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
        await (await OnSaleSetup.HoldAsync(bob, tierId, 1, pass: null)).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
        var rules = (await App.Grains().Reference<IOnSaleGrain>(eventId).Rules())!;
        var expired = App.Services.GetRequiredService<AdmissionPasses>().Issue(rules, "pass-ann", DateTimeOffset.UtcNow.AddSeconds(-1));
        var refused = await (await OnSaleSetup.HoldAsync(ann, tierId, 1, expired)).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
        Assert.Contains("expired", refused.GetProperty("detail").GetString());
        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = @tier", ("tier", tierId)));

        var hold = await (await OnSaleSetup.HoldAsync(ann, tierId, 2, pass)).AssertJson(HttpStatusCode.Created);
        Assert.Equal(2, hold.GetProperty("quantity").GetInt32());
        // The same pass every time it is read.
        var again = await (await ann.GetAsync($"/api/events/{eventId}/queue")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(pass, OnSaleSetup.Pass(again));
    }

    [Fact]
    public async Task APassOfAnEarlierOnSale_StopsWorking_WhenTheEventGetsANewOne()
    {
        var (eventId, tierId) = await EventAsync();
        var buyer = App.Buyer("second-wave");
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow, QuickRate);
        await OnSaleSetup.JoinAsync(buyer, eventId);
        var first = OnSaleSetup.Pass(await OnSaleSetup.AdmittedAsync(buyer, eventId, Within));

        Assert.Equal(HttpStatusCode.NoContent, (await App.Organizer().DeleteAsync($"/api/events/{eventId}/onsale")).StatusCode);
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow, QuickRate);

        await (await OnSaleSetup.HoldAsync(buyer, tierId, 1, first)).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
        await OnSaleSetup.JoinAsync(buyer, eventId);
        var second = OnSaleSetup.Pass(await OnSaleSetup.AdmittedAsync(buyer, eventId, Within));
        Assert.NotEqual(first, second);
        await (await OnSaleSetup.HoldAsync(buyer, tierId, 1, second)).AssertJson(HttpStatusCode.Created);
    }

    [Fact]
    public async Task RulesKeptOnTheSilo_OfAnOnSaleSinceReplaced_AreNeverAnsweredFor()
    {
        // A silo keeps an event's rules for an admission round: here a minute, so the kept rules are surely stale.
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:OnSales:AdmissionInterval"] = "00:01:00" }).Start();
        var (eventId, _) = await EventAsync(app);
        await OnSaleSetup.PutAsync(app, eventId, DateTimeOffset.UtcNow.AddDays(1), QuickRate);
        var stayed = app.Buyer("joined-the-first");
        var rejoined = app.Buyer("joined-both");
        await OnSaleSetup.JoinAsync(stayed, eventId);
        await OnSaleSetup.JoinAsync(rejoined, eventId);

        Assert.Equal(HttpStatusCode.NoContent, (await app.Organizer().DeleteAsync($"/api/events/{eventId}/onsale")).StatusCode);
        await OnSaleSetup.PutAsync(app, eventId, DateTimeOffset.UtcNow.AddDays(1), QuickRate);
        await OnSaleSetup.JoinAsync(rejoined, eventId);

        await (await stayed.GetAsync($"/api/events/{eventId}/queue")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await rejoined.GetAsync($"/api/events/{eventId}/queue")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(1, await Count(
            database,
            "SELECT count(*) FROM ticketing.queue_entries e JOIN ticketing.onsales o ON o.id = e.onsale_id WHERE o.event_id = @event",
            ("event", eventId)));
    }

    [Fact]
    public async Task Removal_AnswersAWaitingBuyer_At404()
    {
        var (eventId, _) = await EventAsync();
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow.AddDays(1), QuickRate);
        var buyer = App.Buyer("left-waiting");
        await OnSaleSetup.JoinAsync(buyer, eventId);

        var clock = Stopwatch.StartNew();
        var waiting = buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=20");
        // Most likely waiting in its shard by then; if the removal came first, the wait is refused at once, which is right too.
        await Task.Delay(500);
        Assert.Equal(HttpStatusCode.NoContent, (await App.Organizer().DeleteAsync($"/api/events/{eventId}/onsale")).StatusCode);

        await (await waiting).AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(19), $"answered after {clock.Elapsed}, at the wait's end rather than at the removal");
    }

    [Fact]
    public async Task EarlyJoiners_AreAdmittedInTheOrderTheStoredSeedReplays_ThenLateJoinersAsTheyCame()
    {
        var (eventId, _) = await EventAsync();
        // Scheduled far ahead and brought forward once everyone has joined: on a slow machine a near opening could overtake the joins.
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow.AddDays(1), admitPerMinute: 1200);
        var early = Enumerable.Range(0, 40).Select(i => App.Buyer($"early-{i}")).ToArray();
        await Gate.Race(early.Length, i => OnSaleSetup.JoinAsync(early[i], eventId));
        await OnSaleSetup.PutAsync(App, eventId, DateTimeOffset.UtcNow, admitPerMinute: 1200);
        // Admission begins once every shard has the opening: from then on, joiners are late.
        await Eventually.Value(
            () => Count("SELECT count(*) FROM ticketing.queue_admissions a JOIN ticketing.queue_openings o USING (onsale_id) WHERE o.event_id = @event", ("event", eventId)),
            n => n > 0,
            Within);
        var late = Enumerable.Range(0, 10).Select(i => App.Buyer($"late-{i}")).ToArray();
        foreach (var buyer in late)
        {
            await OnSaleSetup.JoinAsync(buyer, eventId);
        }

        var tickets = new Dictionary<string, JsonElement>();
        foreach (var (buyer, i) in early.Select((b, i) => (b, $"early-{i}")).Concat(late.Select((b, i) => (b, $"late-{i}"))))
        {
            tickets[i] = await OnSaleSetup.AdmittedAsync(buyer, eventId, Within);
        }

        var audit = await QueueAudit.ReplayAsync(App.Database, eventId);
        Assert.Equal(50, audit.Places.Count);
        Assert.All(audit.Places, place => Assert.NotNull(place.Step));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => $"early-{i}").Order(), audit.Places.Take(40).Select(p => p.UserId).Order());
        Assert.All(audit.Places.Take(40), place => Assert.True(place.Early, $"{place.UserId} joined before the opening but is stored as late"));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"late-{i}"), audit.Places.Skip(40).Select(p => p.UserId));
        Assert.Equal(audit.Places.Select(p => p.AdmittedAt), audit.Places.Select(p => p.AdmittedAt).Order());
        Assert.Equal(50, audit.Steps[^1].AdmittedTotal);
        foreach (var place in audit.Places)
        {
            Assert.Equal(place.AdmittedAt, tickets[place.UserId].GetProperty("estimatedAdmissionAt").GetDateTimeOffset());
        }

        // Drawn, not in the order they joined (40 places in join order by chance: 1 in 40!).
        var joinOrder = audit.Places.Take(40).OrderBy(p => p.Arrival).Select(p => p.UserId);
        Assert.NotEqual(joinOrder, audit.Places.Take(40).Select(p => p.UserId));
    }

    private Task<(Guid EventId, Guid TierId)> EventAsync() => EventAsync(App);

    private static async Task<(Guid EventId, Guid TierId)> EventAsync(TicketingApp app)
    {
        var tierId = await TierSetup.CreateAsync(app, capacity: 100);
        return (await OnSaleSetup.EventOfAsync(app, tierId), tierId);
    }

    private Task<bool> AllowanceActiveAsync(Guid eventId, string userId) => OnSaleSetup.AllowanceActiveAsync(App, eventId, userId);

    private Task<long> Count(string sql, params (string Name, object Value)[] parameters) => Count(fixture.Database, sql, parameters);

    private static async Task<long> Count(TestDatabase database, string sql, params (string Name, object Value)[] parameters) =>
        (long)(await database.ScalarAsync(sql, parameters))!;
}
