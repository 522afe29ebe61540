using Npgsql;
using Ticketing.Persistence.OnSales;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// A buyer's count for the per-buyer cap, read during an on-sale whose event
/// is newer than the statistics PostgreSQL plans with: they were taken when
/// the orders were another event's, so PostgreSQL expects this event to have
/// about one order. Looked up by event and buyer together, the read went
/// through every order of the event to find the buyer's (measured in an
/// on-sale run: about 5,900 orders read a look-up). Bounded by the pages the
/// statement reads, not by time.
/// </summary>
public sealed class BuyerTicketsPlanTests : StatementPagesTests
{
    private const int OrderedSince = 20_000;

    /// <summary>Measured: by buyer, 6 pages; through the event's orders, 446.</summary>
    private const long MaxPagesPerStatement = 100;

    private static readonly Guid EarlierEvent = Guid.NewGuid();
    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid TierId = Guid.NewGuid();
    private static readonly Guid OwnOrder = Guid.NewGuid();

    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            -- the statistics stay as they were before this event's on-sale
            ALTER TABLE ticketing.orders SET (autovacuum_enabled = false);
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES
                ('{EarlierEvent}', 'org', 'Earlier', now() + interval '1 day', 'org'),
                ('{EventId}', 'org', 'Rush', now() + interval '2 days', 'org');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, reserved_quantity)
                VALUES ('{TierId}', '{EventId}', 'GA', 5000, 'eur', 100000, 0);
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, expires_at)
                SELECT gen_random_uuid(), '{EarlierEvent}', 'earlier-' || n, 'cancelled', 5000, 'eur', now() - interval '1 day'
                FROM generate_series(1, 5000) AS n;
            ANALYZE ticketing.orders;
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, expires_at)
                SELECT gen_random_uuid(), '{EventId}', 'buyer-' || n, 'awaiting_payment', 5000, 'eur', now() + interval '10 minutes'
                FROM generate_series(1, {OrderedSince}) AS n;
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, expires_at) VALUES
                ('{OwnOrder}', '{EventId}', 'own-buyer', 'awaiting_payment', 10000, 'eur', now() + interval '10 minutes'),
                (gen_random_uuid(), '{EarlierEvent}', 'own-buyer', 'awaiting_payment', 5000, 'eur', now() + interval '10 minutes');
            INSERT INTO ticketing.order_items (order_id, tier_id, quantity, unit_price_cents) VALUES ('{OwnOrder}', '{TierId}', 2, 5000);
            """);
    }

    [Fact]
    public async Task ReadingABuyersTickets_InAnEventNewerThanTheStatistics_GoesByBuyer()
    {
        // The service's connections as they are: a statement's first runs are planned for the values given.
        await using var service = NpgsqlDataSource.Create(Connections.Keyed(Database.ConnectionString));
        var store = new BuyerTicketStore(service);
        await Database.ForgetStatementsAsync();

        var tickets = await store.ReadAsync(EventId, "own-buyer", DateTimeOffset.UtcNow, [], CancellationToken.None);

        Assert.Equal(2, tickets.Owed); // this event's order, not the earlier event's
        Assert.Empty(tickets.Holds);
        Assert.InRange(await Database.PagesPerCallAsync("%buyer_orders AS (%"), 1, MaxPagesPerStatement);
    }
}
