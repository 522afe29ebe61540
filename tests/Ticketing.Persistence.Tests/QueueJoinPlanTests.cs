using Npgsql;
using Ticketing.Domain.OnSales;
using Ticketing.Persistence.OnSales;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// An on-sale newer than the statistics PostgreSQL plans with: they were
/// taken when the table held another on-sale's places only, so PostgreSQL
/// expects this one to have about one place. A join's write that looked its
/// buyers' places up by on-sale and buyer went through the places by shard
/// instead and read every place of the on-sale to find a few (measured in an
/// on-sale run: PostgreSQL's CPU a join went from about 20 to over 500 us as
/// the queue grew). Bounded by the pages the statement reads, not by time.
/// </summary>
public sealed class QueueJoinPlanTests : StatementPagesTests
{
    private const int JoinedSince = 50_000;

    /// <summary>Measured for these three buyers: by key, 70 pages; looking them up through the places by shard, 8,836.</summary>
    private const long MaxPagesPerStatement = 150;

    private static readonly Guid EarlierOnSale = Guid.NewGuid();
    private static readonly Guid OnSale = Guid.NewGuid();

    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            -- the statistics stay as they were before this on-sale
            ALTER TABLE ticketing.queue_entries SET (autovacuum_enabled = false);
            INSERT INTO ticketing.queue_entries (onsale_id, user_id, shard, early, joined_at)
                SELECT '{EarlierOnSale}', 'earlier-' || n, n % 16, true, now() - interval '1 day'
                FROM generate_series(1, 5000) AS n;
            ANALYZE ticketing.queue_entries;
            INSERT INTO ticketing.queue_entries (onsale_id, user_id, shard, early, joined_at)
                SELECT '{OnSale}', 'buyer-' || n, n % 16, true, now() - interval '1 minute'
                FROM generate_series(1, {JoinedSince}) AS n;
            """);
    }

    [Fact]
    public async Task Joining_AnOnSaleNewerThanTheStatistics_GoesByKey_AndAnswersThePlacesAlreadyHeld()
    {
        // The service's connections as they are: a statement's first runs are planned for the values given.
        await using var service = NpgsqlDataSource.Create(Connections.Keyed(Database.ConnectionString));
        var store = new QueueStore(service);
        var stored = (long)(await Database.ScalarAsync(
            $"SELECT arrival FROM ticketing.queue_entries WHERE onsale_id = '{OnSale}' AND user_id = 'buyer-{JoinedSince / 2}'"))!;
        await Database.ForgetStatementsAsync();

        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var places = await store.JoinAsync(OnSale, shard: 3,
            [new NewPlace("newcomer-1", Early: true, now), new NewPlace($"buyer-{JoinedSince / 2}", Early: false, now), new NewPlace("newcomer-2", Early: true, now)],
            CancellationToken.None);

        Assert.Equal([$"buyer-{JoinedSince / 2}", "newcomer-1", "newcomer-2"], places.Select(place => place.UserId).Order());
        var held = places.Single(place => place.UserId == $"buyer-{JoinedSince / 2}");
        Assert.Equal(stored, held.Arrival);
        Assert.True(held.Early); // kept as it was stored, not as asked again
        Assert.All(places.Where(place => place.UserId.StartsWith("newcomer", StringComparison.Ordinal)), place => Assert.True(place.Arrival > stored));
        Assert.InRange(await Database.PagesPerCallAsync("%INSERT INTO ticketing.queue_entries %"), 1, MaxPagesPerStatement);
    }
}
