using Ticketing.Load.Scenarios;
using Ticketing.Testing;

namespace Ticketing.Load.Tests;

/// <summary>
/// The old plan's load test, kept in the suite: 100 buyers at once on a tier
/// of 50, through the harness's own scenario, against a silo started here.
/// It asserts exactness, never speed (speed is docs/performance.md's).
/// </summary>
public sealed class OnsaleRaceTests
{
    [Fact]
    public async Task OnsaleRace_HundredBuyersFiftyTickets_IsExact()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database).Start();
        using var api = new TicketingApi(app.Server.BaseAddress, TicketingApp.SigningKey, connections: 100, app.Server.CreateHandler());

        var (run, verdict) = await OnsaleRace.RunAsync(api, users: 100, capacity: 50, database.ConnectionString);

        Assert.True(verdict.Exact, verdict.ToString());
        Assert.Equal(50, verdict.Won);
        Assert.Equal(50, verdict.SoldOut);
        Assert.Equal(50L, verdict.DatabaseHolds);
        Assert.Equal(50, verdict.DatabaseReserved);
        Assert.Equal(100, run.Requests);
        await database.AssertConsistentAsync();
    }
}
