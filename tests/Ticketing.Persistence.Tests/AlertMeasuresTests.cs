using Ticketing.Persistence.Operations;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// The alert measures and the open orders' gauge run every minute, through a
/// rush too. They must not read the orders the rush is changing or has
/// settled: recounting every order changed in the last two minutes against
/// its tickets took 888 ms (1,401 at most) of a core every minute at 1,000
/// orders a second, before sql/0014; counting every order by status took
/// 42 ms a minute at 170,000. Bounded by the pages each statement reads, as
/// pg_stat_statements counts them, not by time.
/// </summary>
public sealed class AlertMeasuresTests : StatementPagesTests
{
    private const int ChangedJustNow = 30_000;

    /// <summary>A few pages (the tiers, the live holds, the noted orders); the windowed recount read every changed order (4,209 pages for 30,000 in a trial before a vacuum).</summary>
    private const long MaxPages = 50;

    private static readonly Guid EventId = Guid.NewGuid();

    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES ('{EventId}', 'org', 'Rush', now() + interval '1 day', 'org');
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, expires_at)
                SELECT gen_random_uuid(), '{EventId}', 'buyer-' || n, 'cancelled', 5000, 'eur', now()
                FROM generate_series(1, {ChangedJustNow}) AS n;
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, expires_at, paid_at, stripe_payment_intent_id) VALUES
                (gen_random_uuid(), '{EventId}', 'paying', 'awaiting_payment', 5000, 'eur', now() + interval '15 minutes', NULL, 'pi_paying'),
                (gen_random_uuid(), '{EventId}', 'paid', 'paid', 5000, 'eur', now() + interval '15 minutes', now(), 'pi_paid');
            """);
        await database.ScalarAsync("VACUUM ANALYZE ticketing.orders");
        // The rush's orders settle after the last analyze, so the statistics
        // say none is fulfilled (a table that changes faster than autovacuum
        // analyzes it): the recounts of noted orders must still start from
        // the notes, not from the fulfilled orders.
        await database.ScalarAsync($"""
            ALTER TABLE ticketing.orders SET (autovacuum_enabled = false);
            UPDATE ticketing.orders SET status = 'fulfilled', paid_at = now() - interval '1 hour', stripe_payment_intent_id = 'pi_' || id
                WHERE event_id = '{EventId}' AND status = 'cancelled';
            """);
    }

    [Fact]
    public async Task Measures_DuringARush_ReadAFewPages()
    {
        var store = new OperationsStore(Prepared);
        await store.InvariantCountsAsync(CancellationToken.None);
        await Database.ForgetStatementsAsync();

        var counts = await store.InvariantCountsAsync(CancellationToken.None);

        Assert.Equal(new InvariantCounts(0, 0, 0, 0, 0), counts);
        Assert.InRange(await Database.PagesPerCallAsync("%WITH tiers AS%"), 1, MaxPages);
    }

    [Fact]
    public async Task Readiness_DuringARush_ReadsAFewPages()
    {
        var store = new OperationsStore(Prepared);
        await store.ReadinessAsync(EventId, null, CancellationToken.None);
        await Database.ForgetStatementsAsync();

        var readiness = Assert.Single(await store.ReadinessAsync(EventId, null, CancellationToken.None));

        Assert.Equal(0, readiness.PaidWithoutTickets);
        Assert.InRange(await Database.PagesPerCallAsync("%FROM ticketing.event_readiness%"), 1, MaxPages);
    }

    [Fact]
    public async Task OpenOrdersByStatus_CountsTheUnsettledOnly_ReadingAFewPages()
    {
        var store = new OperationsStore(Prepared);
        await store.OpenOrdersByStatusAsync(CancellationToken.None);
        await Database.ForgetStatementsAsync();

        var open = await store.OpenOrdersByStatusAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, long> { ["awaiting_payment"] = 1, ["payment_failed"] = 0, ["paid"] = 1, ["unfulfillable"] = 0 }, open);
        Assert.InRange(await Database.PagesPerCallAsync("%SELECT status, count(*) FROM ticketing.orders%"), 1, MaxPages);
    }
}
