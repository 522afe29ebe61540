using Ticketing.Load.Scenarios;
using Ticketing.Testing;

namespace Ticketing.Load.Tests;

/// <summary>
/// The waiting-memory scenario on a small room: the places it writes are the
/// ones the shards read at the opening (the on-sale counts every one, and
/// sampled buyers find theirs through the API), so the memory it reads is
/// that of a full room. The figures are docs/performance.md's.
/// </summary>
public sealed class WaitingMemoryTests
{
    [Fact]
    public async Task WaitingMemory_SmallRoom_EveryPlaceIsInTheSilosLines()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database).Start();
        using var api = new TicketingApi(app.Server.BaseAddress, TicketingApp.SigningKey, connections: 10, app.Server.CreateHandler());

        var (sampled, notes) = await WaitingMemory.RunAsync(api, 5_000, database.ConnectionString, siloPid: null, app.Server.CreateHandler(), settleReadings: 1);

        var said = string.Join(Environment.NewLine, notes);
        Assert.True(said.Contains("counted 5000 of 5000 waiting once open; 32 of 32 sampled buyers found their place", StringComparison.Ordinal), said);
        Assert.Equal(32, sampled.Successes);
        Assert.Contains("managed heap at the last collection", said, StringComparison.Ordinal);
    }
}
