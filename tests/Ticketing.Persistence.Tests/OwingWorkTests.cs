using Ticketing.Persistence.Orders;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// The payment recovery sweep asks every minute for the orders that owe work:
/// unpaid past their deadline, paid and not yet fulfilled, unfulfillable and not
/// yet refunded. It must find them without reading the settled orders, of which
/// a season holds millions (it read them all: 65 ms a sweep at 170,000, before
/// sql/0013). Bounded by the pages the statement reads, as pg_stat_statements
/// counts them, not by time.
/// </summary>
public sealed class OwingWorkTests : StatementPagesTests
{
    private const int Settled = 30_000;

    /// <summary>Measured: one page through the index; the whole table without it, 613.</summary>
    private const long MaxPages = 50;

    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid Expired = Guid.NewGuid();
    private static readonly Guid Paid = Guid.NewGuid();
    private static readonly Guid Unfulfillable = Guid.NewGuid();

    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES ('{EventId}', 'org', 'Season', now() + interval '1 day', 'org');
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, expires_at)
                SELECT gen_random_uuid(), '{EventId}', 'settled-' || n, 'cancelled', 5000, 'eur', now() - interval '1 day'
                FROM generate_series(1, {Settled}) AS n;
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, expires_at, paid_at, stripe_payment_intent_id, automatic_refund_id) VALUES
                ('{Expired}', '{EventId}', 'late', 'awaiting_payment', 5000, 'eur', now() - interval '1 minute', NULL, 'pi_late', NULL),
                ('{Paid}', '{EventId}', 'stuck', 'paid', 5000, 'eur', now() - interval '5 minutes', now() - interval '10 minutes', 'pi_stuck', NULL),
                ('{Unfulfillable}', '{EventId}', 'sold-out', 'unfulfillable', 5000, 'eur', now() - interval '5 minutes', now() - interval '10 minutes', 'pi_sold_out', NULL),
                (gen_random_uuid(), '{EventId}', 'refunded', 'unfulfillable', 5000, 'eur', now() - interval '5 minutes', now() - interval '10 minutes', 'pi_refunded', 're_1'),
                (gen_random_uuid(), '{EventId}', 'paying', 'awaiting_payment', 5000, 'eur', now() + interval '10 minutes', NULL, 'pi_paying', NULL);
            """);
        await database.ScalarAsync("VACUUM ANALYZE ticketing.orders");
    }

    [Fact]
    public async Task Sweep_FindsTheOrdersOwingWork_WithoutReadingTheSettledOnes()
    {
        await using var orders = new OrderRepository(Prepared);
        await orders.OwingWorkAsync(DateTimeOffset.UtcNow, 100, CancellationToken.None);
        await Database.ForgetStatementsAsync();

        var owing = await orders.OwingWorkAsync(DateTimeOffset.UtcNow, 100, CancellationToken.None);

        Assert.Equal(new[] { Expired, Paid, Unfulfillable }.Order(), owing.Order());
        Assert.InRange(await Database.PagesPerCallAsync("%FROM ticketing.orders%ORDER BY expires_at%"), 1, MaxPages);
    }
}
