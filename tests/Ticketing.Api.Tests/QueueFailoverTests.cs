using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Api.Auth;
using Ticketing.Grains.OnSales;
using Ticketing.Testing;
using Xunit.Abstractions;

namespace Ticketing.Api.Tests;

/// <summary>
/// A waiting room over two silos, one killed while buyers are being
/// admitted: every buyer who was answered a place is admitted exactly once,
/// in the order the stored seed replays, none skipped, and each keeps the
/// admission (and pass) they were first shown.
/// </summary>
[Collection(DependencyFaultTests.Collection)]
public sealed class QueueFailoverTests(ITestOutputHelper output)
{
    private const int Early = 60;
    private const int Late = 20;

    [Fact]
    public async Task SiloKilled_DuringAdmission_EveryJoinedBuyerIsAdmittedOnceInOrder()
    {
        var membership = new Dictionary<string, string?>
        {
            ["Orleans:Membership:ProbeTimeout"] = "00:00:02",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
        };
        await using var database = await TestDatabase.CreateAsync();
        await using var survivor = new TicketingApp(database, membership).Start();
        await using var doomed = await SiloProcess.StartAsync(
            new Dictionary<string, string?>(survivor.Settings) { ["Orleans:Membership:LivenessEnabled"] = "false" }, TimeSpan.FromSeconds(60));
        var management = survivor.Grains().GetGrain<IManagementGrain>(0);
        var active = await Eventually.Value(async () => (await management.GetHosts(onlyActive: true)).Count, count => count == 2, TimeSpan.FromSeconds(30));
        Assert.True(active == 2, $"{active} silos active, not both: {doomed.RecentOutput}");
        var doomedSilo = (await management.GetHosts(onlyActive: true)).Keys.Single(silo => silo != survivor.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress);

        // Orleans places grains where it likes: on-sales are set up until one
        // has a grain (its coordinator or a shard) on the silo to be killed.
        using var organizer = doomed.Client(TicketingApp.Token(TicketingApp.Organization, [Roles.Organizer], [], []));
        var eventId = Guid.Empty;
        var onDoomed = 0;
        for (var attempt = 0; attempt < 8 && onDoomed == 0; attempt++)
        {
            eventId = await OnSaleSetup.EventOfAsync(survivor, await TierSetup.CreateAsync(survivor, capacity: 1000));
            await (await organizer.PutAsync($"/api/events/{eventId}/onsale", JsonBody(new { opensAt = DateTimeOffset.UtcNow.AddDays(1), admitPerMinute = 240 })))
                .AssertJson(HttpStatusCode.OK);
            var onSaleId = (Guid)(await database.ScalarAsync("SELECT id FROM ticketing.onsales WHERE event_id = @id", ("id", eventId)))!;
            // The coordinator's first round activates every shard.
            var placed = await Eventually.Value(() => PlacedAsync(management, eventId, onSaleId), silos => silos.Count == 1 + QueueShards.Count, TimeSpan.FromSeconds(30));
            onDoomed = placed.Count(silo => silo.Equals(doomedSilo));
        }

        Assert.True(onDoomed > 0, "no queue grain lived on the silo to be killed: the test would prove nothing");

        // Half the buyers join through each silo, before the opening and after it. The opening is brought forward once the early
        // ones have joined: on a slow machine a near opening could overtake their joins.
        var buyers = Enumerable.Range(0, Early + Late).Select(i => $"buyer-{i}").ToArray();
        HttpClient Through(int i) => i % 2 == 0 ? survivor.Buyer(buyers[i]) : doomed.Client(TicketingApp.Token(buyers[i], [Roles.Buyer], [], []));
        await Gate.Race(Early, i => OnSaleSetup.JoinAsync(Through(i), eventId));
        await (await organizer.PutAsync($"/api/events/{eventId}/onsale", JsonBody(new { opensAt = DateTimeOffset.UtcNow, admitPerMinute = 240 })))
            .AssertJson(HttpStatusCode.OK);
        await Eventually.Value(() => AdmittedTotal(database), admitted => admitted > 0, TimeSpan.FromSeconds(60));
        for (var i = Early; i < buyers.Length; i++)
        {
            await OnSaleSetup.JoinAsync(Through(i), eventId);
        }

        // Kill it while admission runs, once some buyers have seen their admission.
        await Eventually.Value(() => AdmittedTotal(database), admitted => admitted >= 15, TimeSpan.FromSeconds(60));
        var seenBefore = new Dictionary<string, JsonElement>();
        foreach (var buyer in buyers.Take(Early))
        {
            var ticket = await (await survivor.Buyer(buyer).GetAsync($"/api/events/{eventId}/queue")).AssertJson(HttpStatusCode.OK);
            if (ticket.GetProperty("status").GetString() != "waiting")
            {
                seenBefore[buyer] = ticket;
            }
        }

        await doomed.KillAsync();
        var admittedAtKill = await AdmittedTotal(database);
        output.WriteLine($"{onDoomed} of the on-sale's {1 + QueueShards.Count} grains lived on the killed silo; {admittedAtKill} of {buyers.Length} admitted when it died");
        Assert.True(admittedAtKill < buyers.Length, "every buyer was admitted before the silo died: the test would prove nothing");

        // Buyers' pages go on waiting through the survivor, which takes over.
        var seenAfter = new Dictionary<string, JsonElement>();
        foreach (var buyer in buyers)
        {
            seenAfter[buyer] = await AdmittedThroughAsync(survivor.Buyer(buyer), eventId, TimeSpan.FromSeconds(120));
        }

        var audit = await QueueAudit.ReplayAsync(database, eventId);
        Assert.Equal(buyers.Order(), audit.Places.Select(place => place.UserId).Order());
        Assert.All(audit.Places, place => Assert.NotNull(place.Step));
        Assert.Equal(Enumerable.Range(1, audit.Steps.Count), audit.Steps.Select(step => step.Number));
        Assert.Equal(audit.Steps.Select(step => step.Frontier).Order(), audit.Steps.Select(step => step.Frontier));
        Assert.Equal(audit.Steps.Count, audit.Steps.Select(step => step.Frontier).Distinct().Count());
        Assert.Equal(buyers.Length, audit.Steps[^1].AdmittedTotal);
        Assert.Equal(audit.Places.Select(place => place.AdmittedAt), audit.Places.Select(place => place.AdmittedAt).Order());
        Assert.True(audit.Places.Take(Early).All(place => place.Early) && audit.Places.Skip(Early).All(place => !place.Early));
        foreach (var place in audit.Places)
        {
            Assert.Equal(place.AdmittedAt, seenAfter[place.UserId].GetProperty("estimatedAdmissionAt").GetDateTimeOffset());
        }

        foreach (var (buyer, before) in seenBefore)
        {
            Assert.Equal(before.GetProperty("pass").GetProperty("token").GetString(), seenAfter[buyer].GetProperty("pass").GetProperty("token").GetString());
        }
    }

    /// <summary>Long-polls as a page does, retrying after a 503 as Retry-After says, until admitted.</summary>
    private static async Task<JsonElement> AdmittedThroughAsync(HttpClient buyer, Guid eventId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        // A wait answers when the status changes: only a waiting buyer waits.
        var path = $"/api/events/{eventId}/queue";
        while (true)
        {
            using var response = await buyer.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var ticket = JsonDocument.Parse(body).RootElement;
                if (ticket.GetProperty("status").GetString() != "waiting")
                {
                    return ticket;
                }

                path = $"/api/events/{eventId}/queue?waitSeconds=5";
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not admitted within {within}: {body}");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(response.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    /// <summary>The silos the on-sale's grains (its coordinator, keyed by the event, and its shards) are active on.</summary>
    private static async Task<List<SiloAddress>> PlacedAsync(IManagementGrain management, Guid eventId, Guid onSaleId) =>
        [.. (await management.GetDetailedGrainStatistics())
            .Where(grain => grain.GrainId.TryGetGuidKey(out var key, out _) && (key == eventId || key == onSaleId)
                && (grain.GrainType.Contains("OnSaleGrain", StringComparison.Ordinal) || grain.GrainType.Contains("QueueShardGrain", StringComparison.Ordinal)))
            .Select(grain => grain.SiloAddress)];

    private static async Task<long> AdmittedTotal(TestDatabase database) =>
        (long)(await database.ScalarAsync("SELECT coalesce(max(admitted_total), 0) FROM ticketing.queue_admissions"))!;

    private static StringContent JsonBody(object body) =>
        new(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), System.Text.Encoding.UTF8, "application/json");
}
