using Ticketing.Persistence.Operations;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// The waiting rooms' gauges come from the admission steps' running totals:
/// waiting is the places less the last step's total, the last minute's
/// admissions the difference of two steps, the expected wait the waiting at
/// the configured rate.
/// </summary>
public sealed class OnSaleQueueMeasuresTests : IAsyncLifetime
{
    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid OtherEventId = Guid.NewGuid();
    private static readonly Guid OnSaleId = Guid.NewGuid();
    private static readonly Guid ScheduledId = Guid.NewGuid();
    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        await database.ScalarAsync($"""
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES
                ('{EventId}', 'org', 'Hot gig', now() + interval '30 days', 'org'), ('{OtherEventId}', 'org', 'Later gig', now() + interval '60 days', 'org');
            INSERT INTO ticketing.onsales (event_id, id, opens_at, admit_per_minute, pass_minutes) VALUES
                ('{EventId}', '{OnSaleId}', now() - interval '3 minutes', 120, 10),
                ('{OtherEventId}', '{ScheduledId}', now() + interval '1 hour', 30, 10);
            INSERT INTO ticketing.queue_entries (onsale_id, user_id, shard, early, joined_at)
                SELECT '{OnSaleId}', 'buyer-' || n, n % 8, true, now() - interval '5 minutes' FROM generate_series(1, 1000) AS n;
            INSERT INTO ticketing.queue_entries (onsale_id, user_id, shard, early, joined_at)
                SELECT '{ScheduledId}', 'early-' || n, n % 8, true, now() FROM generate_series(1, 45) AS n;
            INSERT INTO ticketing.queue_openings (onsale_id, event_id, seed, opened_at) VALUES ('{OnSaleId}', '{EventId}', decode(repeat('cd', 32), 'hex'), now() - interval '3 minutes');
            INSERT INTO ticketing.queue_admissions (onsale_id, step, frontier_late, frontier_rank, frontier_arrival, admitted_at, admitted_total) VALUES
                ('{OnSaleId}', 1, false, 0, 0, now() - interval '150 seconds', 100),
                ('{OnSaleId}', 2, false, 0, 0, now() - interval '90 seconds', 220),
                ('{OnSaleId}', 3, false, 0, 0, now() - interval '30 seconds', 340),
                ('{OnSaleId}', 4, false, 0, 0, now() - interval '1 second', 400);
            """);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Queues_AreMeasuredFromTheStepsTotals()
    {
        var queues = await new OperationsStore(database.DataSource).OnSaleQueuesAsync(CancellationToken.None);

        var open = Assert.Single(queues, queue => queue.EventId == EventId);
        Assert.Equal(600, open.Waiting);
        Assert.Equal(400 - 220, open.AdmittedLastMinute);
        Assert.Equal(600 * 60.0 / 120, open.ExpectedWaitSeconds);
        Assert.False(open.Stalled);

        var scheduled = Assert.Single(queues, queue => queue.EventId == OtherEventId);
        Assert.Equal(45, scheduled.Waiting);
        Assert.Equal(0, scheduled.AdmittedLastMinute);
        Assert.Equal(90, scheduled.ExpectedWaitSeconds);
        Assert.False(scheduled.Stalled);
    }
}
