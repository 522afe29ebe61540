using Ticketing.Abstractions.Orders;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Orders;
using Ticketing.Domain.Tiers;
using Ticketing.Persistence.Orders;
using Ticketing.Persistence.Tiers;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// An on-sale: the statistics PostgreSQL plans with were taken before the rush,
/// when few holds were live, and 20,000 are live now. The statements that end a
/// hold and that place an order on one must still go to that hold by its key,
/// not walk every live hold (which they did: 21 ms and 5 ms a statement instead
/// of 0.3 and 0.4). The service prepares its statements, so after five runs
/// PostgreSQL plans them once for any values (a generic plan): here they are
/// prepared and planned that way from the first run. Bounded by the pages each
/// statement reads, as pg_stat_statements counts them, not by time.
/// </summary>
public sealed class RushPlanTests : StatementPagesTests
{
    private const int EndedBefore = 40_000;
    private const int LiveNow = 20_000;

    /// <summary>Measured: by key, 17 pages to end a hold and 41 to place an order; walking the live holds, 293 and 321.</summary>
    private const long MaxPagesPerStatement = 100;

    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid TierId = Guid.NewGuid();

    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            -- the statistics stay as they were before the rush
            ALTER TABLE ticketing.ticket_holds SET (autovacuum_enabled = false);
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES ('{EventId}', 'org', 'Rush', now() + interval '1 day', 'org');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, reserved_quantity)
                VALUES ('{TierId}', '{EventId}', 'GA', 5000, 'eur', 100000, {LiveNow});
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, status, expires_at, ended_at)
                SELECT gen_random_uuid(), '{TierId}', 'earlier-' || n, 1, 'released', now() - interval '1 day', now() - interval '1 day'
                FROM generate_series(1, {EndedBefore}) AS n;
            ANALYZE ticketing.ticket_holds;
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
                SELECT gen_random_uuid(), '{TierId}', 'buyer-' || n, 1, now() + interval '15 minutes'
                FROM generate_series(1, {LiveNow}) AS n;
            """);
    }

    [Fact]
    public async Task EndingOneHoldAmongTwentyThousandLive_ReadsAFewPages()
    {
        var repository = new TierRepository(Prepared);
        var state = (await repository.LoadAsync(TierId, CancellationToken.None))!;
        var (warmUp, hold) = (state.ActiveHolds[0], state.ActiveHolds[LiveNow / 2]);
        var version = await repository.ApplyAsync(
            state.Tier with { Reserved = state.Tier.Reserved - 1 },
            state.Version,
            [new HoldEnded(warmUp.Id, HoldStatus.Released, DateTimeOffset.UtcNow, warmUp.ExpiresAt, null)],
            CancellationToken.None);
        await Database.ForgetStatementsAsync();

        await repository.ApplyAsync(
            state.Tier with { Reserved = state.Tier.Reserved - 2 },
            version,
            [new HoldEnded(hold.Id, HoldStatus.Released, DateTimeOffset.UtcNow, hold.ExpiresAt, null)],
            CancellationToken.None);

        Assert.Equal("released", await Database.ScalarAsync($"SELECT status FROM ticketing.ticket_holds WHERE id = '{hold.Id}'"));
        Assert.InRange(await Database.PagesPerCallAsync("%UPDATE ticketing.ticket_holds h%"), 1, MaxPagesPerStatement);
    }

    [Fact]
    public async Task PlacingAnOrderOnOneHoldAmongTwentyThousandLive_ReadsAFewPages()
    {
        await using var repository = new OrderRepository(Prepared);
        Assert.True(await repository.InsertAsync(await OrderOnHoldOf("buyer-1"), CancellationToken.None));
        await Database.ForgetStatementsAsync();

        Assert.True(await repository.InsertAsync(await OrderOnHoldOf($"buyer-{LiveNow / 2}"), CancellationToken.None));
        Assert.InRange(await Database.PagesPerCallAsync("%INSERT INTO ticketing.orders%"), 1, MaxPagesPerStatement);
    }

    private async Task<OrderState> OrderOnHoldOf(string buyer)
    {
        var holdId = (Guid)(await Database.ScalarAsync("SELECT id FROM ticketing.ticket_holds WHERE user_id = @buyer", ("buyer", buyer)))!;
        var now = DateTimeOffset.UtcNow;
        return new OrderState(
            Guid.NewGuid(), EventId, buyer, OrderStatus.AwaitingPayment, [new OrderItem(TierId, holdId, 1, 5000)], 5000, "eur",
            new OrderContact("b@example.com", "B", null), now, now.AddMinutes(15), PaymentIntentId: $"pi_{holdId:N}", ClientSecret: $"pi_{holdId:N}_secret");
    }
}
