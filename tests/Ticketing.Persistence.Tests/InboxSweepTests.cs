using Ticketing.Persistence.Payments;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// The payment recovery sweep asks the inbox every minute for events received
/// but never processed. It must find them without reading the events already
/// processed, of which a season holds millions (without an index it read them
/// all: 134 ms a sweep at 166,000). Bounded by the pages the statement reads,
/// as pg_stat_statements counts them, not by time.
/// </summary>
public sealed class InboxSweepTests : StatementPagesTests
{
    private const int Processed = 30_000;

    /// <summary>
    /// Measured: one page through the index after a vacuum; the whole inbox without it, over a
    /// thousand. (Between vacuums the sweep also visits the entries of events processed since
    /// it last ran: see sql/0012.)
    /// </summary>
    private const long MaxPages = 50;


    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            -- received pending and marked processed, as the webhook does; then vacuumed, as autovacuum does
            INSERT INTO ticketing.stripe_events (event_id, type, payload, received_at)
                SELECT 'evt_done_' || n, 'payment_intent.succeeded', jsonb_build_object('id', 'evt_done_' || n, 'padding', repeat('x', 300)),
                       now() - interval '1 hour' + n * interval '1 ms'
                FROM generate_series(1, {Processed}) AS n;
            UPDATE ticketing.stripe_events SET status = 'processed', processed_at = now(), attempts = attempts + 1 WHERE event_id LIKE 'evt_done_%';
            INSERT INTO ticketing.stripe_events (event_id, type, payload, status, received_at)
                VALUES ('evt_dropped_1', 'payment_intent.succeeded', jsonb_build_object('id', 'evt_dropped_1'), 'pending', now() - interval '10 minutes'),
                       ('evt_dropped_2', 'payment_intent.succeeded', jsonb_build_object('id', 'evt_dropped_2'), 'failed', now() - interval '5 minutes'),
                       ('evt_just_now', 'payment_intent.succeeded', jsonb_build_object('id', 'evt_just_now'), 'pending', now());
            """);
        await database.ScalarAsync("VACUUM ANALYZE ticketing.stripe_events");
    }

    [Fact]
    public async Task Sweep_FindsTheDroppedEvents_WithoutReadingTheProcessedOnes()
    {
        await using var inbox = new StripeEventStore(Prepared);
        var receivedBefore = DateTimeOffset.UtcNow.AddMinutes(-1);
        await inbox.UnprocessedAsync(receivedBefore, 100, CancellationToken.None);
        await Database.ForgetStatementsAsync();

        var dropped = await inbox.UnprocessedAsync(receivedBefore, 100, CancellationToken.None);

        Assert.Equal(["evt_dropped_1", "evt_dropped_2"], dropped.Select(e => e.EventId));
        Assert.InRange(await Database.PagesPerCallAsync("%FROM ticketing.stripe_events%received_at <%"), 1, MaxPages);
    }
}
