using System.Globalization;
using System.Text.RegularExpressions;
using Ticketing.Load.Scenarios;
using Ticketing.Testing;

namespace Ticketing.Load.Tests;

/// <summary>
/// The on-sale scenario end to end on a small crowd against a silo started
/// here (orders only, no payment, no cap): it must run through, admit
/// everyone who joined, turn every intruder away, and find nothing unsafe in
/// the database. Speed is docs/performance.md's.
/// </summary>
public sealed class OnsaleScenarioTests
{
    [Fact]
    public async Task Onsale_SmallCrowd_RunsThroughSafely()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database).Start();
        using var api = new TicketingApi(app.Server.BaseAddress, TicketingApp.SigningKey, connections: 50, app.Server.CreateHandler());
        var settings = new OnsaleSettings(Entrants: 60, EarlyShare: 0.5, AdmitPerMinute: 3_000, MaxPerBuyer: null, Seats: 40, LateRate: 20, InFlight: 200, Joiners: 10)
        {
            OpensIn = TimeSpan.FromSeconds(2),
            WarmUp = TimeSpan.FromSeconds(1),
        };

        var report = await Onsale.RunAsync(api, settings, database.ConnectionString, handler: app.Server.CreateHandler());

        var notes = string.Join(Environment.NewLine, report.Notes);
        Assert.True(report.Safe, notes);
        Assert.Contains("admission: 60 of 60 joined admitted, 0 never", notes, StringComparison.Ordinal);
        Assert.Contains("hold p99 in the first minute after the opening", notes, StringComparison.Ordinal);
        Assert.Contains(" (0 to 20 s ", notes, StringComparison.Ordinal);
        // The warm-up checked out, and lasted until the silo's JIT went quiet (or its limit).
        var warmUp = Regex.Match(notes, @"warm-up: (\d+) s \(at least 1, then until the silo's JIT was quiet: (still compiling at the limit, )?\d+ methods compiled, \d+ ms of compiling in the last 5 s\); (\d+) warm-up buyers bought");
        Assert.True(warmUp.Success, notes);
        Assert.InRange(int.Parse(warmUp.Groups[1].Value, CultureInfo.InvariantCulture), 1, 8);
        Assert.True(int.Parse(warmUp.Groups[3].Value, CultureInfo.InvariantCulture) > 0, notes);
        Assert.Matches(@"the silo's JIT in those seconds: \d+ methods compiled, \d+ ms of compiling; its collector: \d+ collections", notes);
        Assert.Contains("; the first 20 s by 5 s: ", notes, StringComparison.Ordinal);
        Assert.Equal(30, report.Results[0].Successes);
        var intruders = report.Results.Single(r => r.Name.StartsWith("onsale: holds without", StringComparison.Ordinal));
        Assert.True(intruders.Requests > 0);
        Assert.Equal(intruders.Requests, intruders.Successes);
        // The silo runs with its default rate limits, and each entrant is a buyer of its own.
        Assert.All(report.Results, run => Assert.True(run.RateLimited == 0, $"{run.Name}: {run.RateLimited} answered 429"));
    }

    [Fact]
    public async Task Onsale_PagesWithoutAPollInFlight_HearOfTheirAdmissionAtTheirTurn()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database).Start();
        using var api = new TicketingApi(app.Server.BaseAddress, TicketingApp.SigningKey, connections: 50, app.Server.CreateHandler());
        // 8 polls at once for 30 pages: at the opening most pages' polls stand for polls parked in the
        // room until well after their turns, and the room would answer those at the admission.
        var settings = new OnsaleSettings(Entrants: 40, EarlyShare: 0.75, AdmitPerMinute: 600, MaxPerBuyer: null, Seats: 80, LateRate: 5, InFlight: 24, Joiners: 10, Comparison: false)
        {
            OpensIn = TimeSpan.FromSeconds(2),
            WarmUp = TimeSpan.FromSeconds(1),
        };

        var report = await Onsale.RunAsync(api, settings, database.ConnectionString, handler: app.Server.CreateHandler());

        var notes = string.Join(Environment.NewLine, report.Notes);
        Assert.True(report.Safe, notes);
        Assert.Contains("admission: 40 of 40 joined admitted, 0 never", notes, StringComparison.Ordinal);
        var learned = Regex.Match(notes, @"pages learned of it p50 (\d+) ms, p99 (\d+) ms later");
        Assert.True(learned.Success, notes);
        // Heard at their parked polls' ends instead, they would learn 10 to 20 s late.
        Assert.True(int.Parse(learned.Groups[2].Value, CultureInfo.InvariantCulture) < 5_000, notes);
    }
}
