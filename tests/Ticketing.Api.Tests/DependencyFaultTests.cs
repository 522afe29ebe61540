using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using Xunit.Abstractions;

namespace Ticketing.Api.Tests;

/// <summary>
/// Real faults under load: the database restarts, a silo dies. Whatever is
/// acknowledged stays; what could not be done is a 503 with Retry-After,
/// never a 500; service comes back by itself. In one collection with the
/// other fault tests, so no two faults run at once on a small machine.
/// </summary>
[Collection(DependencyFaultTests.Collection)]
public sealed class DependencyFaultTests(ITestOutputHelper output)
{
    /// <summary>The tests that break a dependency or a silo: they run one at a time.</summary>
    public const string Collection = "faults";

    private const int TierCapacity = 100_000;

    private static readonly object Contact = new { email = "buyer@example.com", name = "A Buyer" };

    [Fact]
    public async Task PostgresRestart_DuringHoldsAndOrders_AnswersNo500AndLosesNothing()
    {
        await using var server = await PrivatePostgres.StartAsync();
        await using var database = await TestDatabase.CreateMigratedAsync(server.AdminConnectionString);
        await using var app = new TicketingApp(database).Start();
        var tiers = await CreateTiersAsync(app, 4);
        var log = new AnswerLog();
        using var stop = new CancellationTokenSource();
        var buyers = Enumerable.Range(0, 16).Select(i => Task.Run(() => HoldAndOrderUntil(app, tiers, i, log, stop.Token))).ToArray();

        await Eventually.True(() => log.Count(a => a.Request == "order" && a.Acknowledged) >= 10, TimeSpan.FromSeconds(30), "ten orders before the restart");
        var paidLater = JsonDocument.Parse(log.All.First(a => a.Request == "order" && a.Acknowledged).Body).RootElement;
        var payment = Checkout.PaymentSucceededEvent(
            "evt_restart_" + Guid.NewGuid().ToString("N"), paidLater.GetProperty("payment").GetProperty("paymentIntentId").GetString()!,
            paidLater.GetProperty("id").GetGuid(), paidLater.GetProperty("totalCents").GetInt64());
        using var stripe = app.CreateClient();
        var clock = Stopwatch.StartNew();
        await server.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        Answer webhookWhileDown;
        try
        {
            await Eventually.True(() => log.Count(a => a.At > stoppedAt && a.Status >= 500) >= 5, TimeSpan.FromSeconds(20), "failures while the database is down");
            // Stripe delivers a payment while the database is away.
            webhookWhileDown = await log.SendAsync("silo", "webhook", () => stripe.SendAsync(Checkout.SignedWebhook(payment)));
        }
        finally
        {
            // Also when the test fails here: the cleanup needs the server.
            await server.StartAgainAsync();
        }

        var down = clock.Elapsed;
        var startedAt = DateTime.UtcNow;
        using var probe = app.CreateClient();
        var backWithin = await ServesEveryTierAsync(probe, "silo", tiers, log, TimeSpan.FromSeconds(30));
        await Eventually.True(() => log.Count(a => a.At > startedAt && a.Request == "order" && a.Acknowledged) >= 10, TimeSpan.FromSeconds(30), "orders again after the restart");
        await stop.CancelAsync();
        await Task.WhenAll(buyers);
        // Stripe delivers the event again, as it does after a 503.
        var webhookRetried = await log.SendAsync("silo", "webhook", () => stripe.SendAsync(Checkout.SignedWebhook(payment)));

        Report(log, app, $"database down {down.TotalSeconds:F1} s (stop to started), every tier served again {backWithin.TotalSeconds:F1} s after the start");
        AssertKeptTheContract(log.All, app);
        Assert.True(webhookWhileDown is { IsRetryLater: true, ProblemType: Answer.Unavailable }, webhookWhileDown.ToString());
        Assert.True(webhookRetried.Status == (int)HttpStatusCode.OK, webhookRetried.ToString());
        await app.Organizer().WaitForStatusAsync(paidLater.GetProperty("id").GetGuid(), "fulfilled");
        await AssertDurableAsync(database, log.All);
        Assert.Equal(0, log.Count(a => a.Status == 0));
    }

    [Fact]
    public async Task SiloKilled_DuringHolds_SurvivorAnswersNo500AndLosesNothing()
    {
        // The survivor declares a silo that stops answering its probes dead in
        // seconds, not Orleans' default of about fifteen.
        var membership = new Dictionary<string, string?>
        {
            ["Orleans:Membership:ProbeTimeout"] = "00:00:02",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
        };
        await using var database = await TestDatabase.CreateAsync();
        await using var survivor = new TicketingApp(database, membership).Start();
        // The other never votes: a silo declared dead ends its own process,
        // and the survivor's process is this test run's.
        await using var doomed = await SiloProcess.StartAsync(
            new Dictionary<string, string?>(survivor.Settings) { ["Orleans:Membership:LivenessEnabled"] = "false" }, TimeSpan.FromSeconds(60));
        var management = survivor.Grains().GetGrain<IManagementGrain>(0);
        var active = await Eventually.Value(async () => (await management.GetHosts(onlyActive: true)).Count, count => count == 2, TimeSpan.FromSeconds(30));
        Assert.True(active == 2, $"{active} silos active, not both: {doomed.RecentOutput}");
        var log = new AnswerLog();
        using var survivorClient = survivor.CreateClient();
        using var doomedClient = new HttpClient { BaseAddress = doomed.Address };
        var doomedSilo = (await management.GetHosts(onlyActive: true)).Keys.Single(silo => silo != survivor.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);
        // Orleans places a tier where the load is lighter: tiers are added, each
        // first held through one silo or the other, until one lives on the silo to be killed.
        var placed = new List<Guid>();
        List<Guid> onDoomed = [];
        while (placed.Count < 6 || (onDoomed.Count == 0 && placed.Count < 16))
        {
            var tierId = await TierSetup.CreateAsync(survivor, TierCapacity);
            var (silo, client) = placed.Count % 2 == 0 ? ("doomed", doomedClient) : ("survivor", survivorClient);
            var first = await log.SendAsync(silo, "hold", () => PostAs(client, $"first-{tierId}", "/api/holds", new { tierId, quantity = 1 }));
            Assert.True(first.Acknowledged, first.ToString());
            placed.Add(tierId);
            onDoomed = await LivingOnAsync(management, doomedSilo, placed);
        }

        Assert.True(onDoomed.Count > 0, "no tier lives on the silo to be killed: the test would prove nothing");
        Guid[] tiers = [.. placed];
        using var stop = new CancellationTokenSource();
        using var killed = new CancellationTokenSource();
        var rush = Enumerable.Range(0, 6).Select(i => Task.Run(() => HoldUntil(survivorClient, "survivor", tiers, i, log, stop.Token)))
            .Concat(Enumerable.Range(0, 6).Select(i => Task.Run(() => HoldUntil(doomedClient, "doomed", tiers, i, log, killed.Token))))
            .ToArray();

        await Eventually.True(() => log.Count(a => a.Silo == "doomed" && a.Acknowledged) >= 30, TimeSpan.FromSeconds(30), "holds through the silo to be killed");
        await doomed.KillAsync();
        await killed.CancelAsync();
        var backWithin = await ServesEveryTierAsync(survivorClient, "survivor", tiers, log, TimeSpan.FromSeconds(45));
        await stop.CancelAsync();
        await Task.WhenAll(rush);

        Report(log, survivor, $"{onDoomed.Count} of {tiers.Length} tiers lived on the killed silo; the survivor served every tier again {backWithin.TotalSeconds:F1} s after the kill");
        AssertKeptTheContract([.. log.All.Where(a => a.Silo == "survivor")], survivor);
        await AssertDurableAsync(database, log.All);
    }

    /// <summary>The tiers of <paramref name="tiers"/> whose grain is active on <paramref name="silo"/>.</summary>
    private static async Task<List<Guid>> LivingOnAsync(IManagementGrain management, SiloAddress silo, List<Guid> tiers) =>
        [.. (await management.GetDetailedGrainStatistics())
            .Where(grain => grain.SiloAddress.Equals(silo) && grain.GrainId.TryGetGuidKey(out var key, out _) && tiers.Contains(key))
            .Select(grain => grain.GrainId.GetGuidKey())];

    private static async Task<Guid[]> CreateTiersAsync(TicketingApp app, int count)
    {
        var tiers = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            tiers[i] = await TierSetup.CreateAsync(app, TierCapacity);
        }

        return tiers;
    }

    /// <summary>One buyer after another holds and orders, until told to stop; after a failure it waits a moment, as a client honouring Retry-After would.</summary>
    private static async Task HoldAndOrderUntil(TicketingApp app, Guid[] tiers, int worker, AnswerLog log, CancellationToken stop)
    {
        using var client = app.CreateClient();
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var buyer = $"buyer-{worker}-{n}";
            var answer = await log.SendAsync("silo", "hold", () => PostAs(client, buyer, "/api/holds", new { tierId = tiers[(worker + n) % tiers.Length], quantity = 1 + (n % 2) }));
            if (answer.CreatedId is { } holdId)
            {
                answer = await log.SendAsync("silo", "order", () => PostAs(client, buyer, "/api/orders", new { holdIds = new[] { holdId }, contact = Contact }));
            }

            if (!answer.Acknowledged)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    /// <summary>One buyer after another holds through one silo, until told to stop.</summary>
    private static async Task HoldUntil(HttpClient client, string silo, Guid[] tiers, int worker, AnswerLog log, CancellationToken stop)
    {
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var answer = await log.SendAsync(silo, "hold", () => PostAs(client, $"{silo}-{worker}-{n}", "/api/holds", new { tierId = tiers[(worker + n) % tiers.Length], quantity = 1 }));
            if (!answer.Acknowledged)
            {
                await Task.Delay(200, CancellationToken.None);
            }
        }
    }

    /// <summary>Holds on every tier until all of them are acknowledged in one round; answers how long it took.</summary>
    private static async Task<TimeSpan> ServesEveryTierAsync(HttpClient client, string silo, Guid[] tiers, AnswerLog log, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var round = 0;
        var served = await Eventually.Value(
            async () =>
            {
                round++;
                var answers = await Task.WhenAll(tiers.Select((tierId, i) => log.SendAsync(silo, "probe", () => PostAs(client, $"probe-{round}-{i}", "/api/holds", new { tierId, quantity = 1 }))));
                return answers.All(a => a.Acknowledged);
            },
            done => done,
            within);
        Assert.True(served, $"Not every tier took a hold within {within} of the fault ending.");
        return clock.Elapsed;
    }

    private static Task<HttpResponseMessage> PostAs(HttpClient client, string buyer, string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", TicketingApp.Token(buyer, [Roles.Buyer], [], []));
        return client.SendAsync(request);
    }

    /// <summary>No 500, nor any other answer outside the contract; and the silo logged no unhandled exception.</summary>
    private static void AssertKeptTheContract(IReadOnlyList<Answer> answers, TicketingApp silo)
    {
        var broken = answers.Where(a => a.Failure is null && !a.KeepsTheContract).Take(5).ToList();
        Assert.True(broken.Count == 0, $"Answers outside the contract:{Environment.NewLine}{string.Join(Environment.NewLine, broken)}");
        var unhandled = silo.Logs.Where(entry => entry.Level >= LogLevel.Error && entry.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)).Take(3).ToList();
        Assert.True(unhandled.Count == 0, $"Unhandled exceptions:{Environment.NewLine}{string.Join(Environment.NewLine, unhandled)}");
    }

    /// <summary>Every hold and order acknowledged is in the database, and every tier's reserved count is what its live holds say.</summary>
    private static async Task AssertDurableAsync(TestDatabase database, IReadOnlyList<Answer> answers)
    {
        var holds = answers.Where(a => a.Request is "hold" or "probe" && a.Acknowledged).Select(a => a.CreatedId!.Value).ToArray();
        var orders = answers.Where(a => a.Request == "order" && a.Acknowledged).Select(a => a.CreatedId!.Value).ToArray();
        Assert.Equal((long)holds.Length, await database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_holds WHERE id = ANY(@ids)", ("ids", holds)));
        Assert.Equal((long)orders.Length, await database.ScalarAsync("SELECT count(*) FROM ticketing.orders WHERE id = ANY(@ids)", ("ids", orders)));
        Assert.Equal(0L, await database.ScalarAsync(
            """
            SELECT count(*) FROM ticketing.ticket_tiers tt
            WHERE tt.reserved_quantity <> (SELECT coalesce(sum(quantity), 0) FROM ticketing.ticket_holds h WHERE h.tier_id = tt.id AND h.status = 'active')
            """));
        await database.AssertConsistentAsync();
    }

    private void Report(AnswerLog log, TicketingApp silo, string timing)
    {
        output.WriteLine(timing);
        foreach (var level in silo.Logs.Where(entry => entry.Level >= LogLevel.Warning).GroupBy(entry => (entry.Level, entry.Category)).OrderByDescending(g => g.Count()).Take(8))
        {
            var first = level.First().Message;
            output.WriteLine($"logged {level.Count()} x {level.Key.Level} {level.Key.Category}, first: {first[..Math.Min(first.Length, 240)]}");
        }

        foreach (var group in log.All.GroupBy(a => (a.Silo, a.Request, a.Status, a.ProblemType)).OrderBy(g => g.Key.Silo).ThenBy(g => g.Key.Request).ThenBy(g => g.Key.Status))
        {
            output.WriteLine($"{group.Key.Silo} {group.Key.Request}: {group.Count()} x {group.Key.Status} {group.Key.ProblemType}");
        }
    }
}
