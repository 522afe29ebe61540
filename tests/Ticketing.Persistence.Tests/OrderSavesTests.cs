using Ticketing.Abstractions.Orders;
using Ticketing.Domain.Orders;
using Ticketing.Persistence.Orders;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// Orders placed and saved together: each save at its own expected version
/// with its audit entry; a stale one refused alone; an order a constraint
/// refuses fails alone, the others in its lot are still written.
/// </summary>
public sealed class OrderSavesTests : IAsyncLifetime
{
    private const int Orders = 30;
    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid TierId = Guid.NewGuid();
    private readonly Guid[] orderIds = [.. Enumerable.Range(0, Orders).Select(_ => Guid.NewGuid())];
    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        await database.ScalarAsync($"""
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES ('{EventId}', 'org', 'Gig', now() + interval '1 day', 'org');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity) VALUES ('{TierId}', '{EventId}', 'GA', 5000, 'eur', 100);
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, contact_email, contact_name, expires_at)
                SELECT id, '{EventId}', 'buyer', 'awaiting_payment', 5000, 'eur', 'b@example.com', 'B', now() + interval '15 minutes'
                FROM unnest(ARRAY['{string.Join("','", orderIds)}']::uuid[]) AS id;
            INSERT INTO ticketing.order_items (order_id, tier_id, quantity, unit_price_cents)
                SELECT id, '{TierId}', 1, 5000 FROM unnest(ARRAY['{string.Join("','", orderIds)}']::uuid[]) AS id;
            """);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task ManyOrdersSavedAtOnce_AreEachWrittenOnceWithTheirAudit_AndAStaleOneIsRefusedAlone()
    {
        await using var repository = new OrderRepository(database.DataSource);
        var loaded = await Task.WhenAll(orderIds.Select(id => repository.LoadAsync(id, CancellationToken.None)));
        var stale = orderIds[7];

        var saves = loaded.Select(l => l!.Value).Select(l => Saving(repository, l.Order with { PaymentIntentId = $"pi_{l.Order.Id:N}" },
            l.Order.Id == stale ? l.Version + 5 : l.Version)).ToArray();
        var outcomes = await Task.WhenAll(saves);

        Assert.IsType<OrderVersionConflictException>(Assert.Single(outcomes, o => o is not null));
        Assert.Equal((long)Orders - 1, await database.ScalarAsync("SELECT count(*) FROM ticketing.orders WHERE version = 1 AND stripe_payment_intent_id LIKE 'pi_%'"));
        Assert.Equal(0L, await database.ScalarAsync($"SELECT version FROM ticketing.orders WHERE id = '{stale}'"));
        Assert.Equal((long)Orders - 1, await database.ScalarAsync("SELECT count(*) FROM ticketing.audit_log WHERE action = 'payment_intent_created'"));
    }

    [Fact]
    public async Task AnOrderTheCommitRefuses_FailsAlone_AndTheOthersInItsLotAreWritten()
    {
        await using var repository = new OrderRepository(database.DataSource);
        var loaded = (await Task.WhenAll(orderIds.Select(id => repository.LoadAsync(id, CancellationToken.None)))).Select(l => l!.Value).ToArray();
        var paidAt = DateTimeOffset.UtcNow;

        // Fulfilled without its ticket: the deferred trigger refuses it at commit.
        var saves = loaded.Select(l => Saving(repository, l.Order with
        {
            Status = l.Order.Id == orderIds[3] ? OrderStatus.Fulfilled : OrderStatus.Paid,
            PaymentIntentId = $"pi_{l.Order.Id:N}",
            PaidAt = paidAt,
            AmountPaidCents = 5000,
        }, l.Version)).ToArray();
        var outcomes = await Task.WhenAll(saves);

        Assert.IsType<Npgsql.PostgresException>(Assert.Single(outcomes, o => o is not null));
        Assert.Equal((long)Orders - 1, await database.ScalarAsync("SELECT count(*) FROM ticketing.orders WHERE status = 'paid' AND version = 1"));
        Assert.Equal("awaiting_payment", await database.ScalarAsync($"SELECT status FROM ticketing.orders WHERE id = '{orderIds[3]}'"));
    }

    [Fact]
    public async Task ManyOrdersPlacedAtOnce_AreEachStored_AndOrdersForHoldsAlreadyTakenAreRefused()
    {
        var holds = Enumerable.Range(0, Orders).Select(_ => Guid.NewGuid()).ToArray();
        await database.ScalarAsync($"""
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
            SELECT id, '{TierId}', 'buyer-' || id::text, 1, now() + interval '15 minutes' FROM unnest(ARRAY['{string.Join("','", holds)}']::uuid[]) AS id;
            UPDATE ticketing.order_items SET hold_id = '{holds[11]}' WHERE order_id = '{orderIds[0]}';
            """);
        await using var repository = new OrderRepository(database.DataSource);
        var now = DateTimeOffset.UtcNow;
        var placing = holds.Select(hold => new OrderState(
            Guid.NewGuid(), EventId, "buyer", OrderStatus.AwaitingPayment, [new OrderItem(TierId, hold, 1, 5000)], 5000, "eur",
            new OrderContact("b@example.com", "B", null), now, now.AddMinutes(15), PaymentIntentId: $"pi_{hold:N}", ClientSecret: $"pi_{hold:N}_secret")).ToArray();

        var placed = await Task.WhenAll(placing.Where((_, i) => i != 11).Select(order => repository.InsertAsync(order, CancellationToken.None)));
        var refused = await Task.WhenAll(placing.Select(order => repository.InsertAsync(order with { Id = Guid.NewGuid(), PaymentIntentId = $"pi_{Guid.NewGuid():N}" }, CancellationToken.None)));

        Assert.All(placed, Assert.True);
        Assert.All(refused, Assert.False);
        Assert.False(await repository.InsertAsync(placing[11], CancellationToken.None));
        Assert.Equal((long)Orders - 1, await database.ScalarAsync(
            $"SELECT count(*) FROM ticketing.orders o JOIN ticketing.audit_log a ON a.entity_id = o.id::text AND a.action = 'order_placed' WHERE o.id = ANY(ARRAY['{string.Join("','", placing.Select(o => o.Id))}']::uuid[])"));
        Assert.Equal(0L, await database.ScalarAsync($"SELECT count(*) FROM ticketing.orders WHERE id = '{placing[11].Id}'"));
        Assert.Equal((long)Orders - 1, await database.ScalarAsync(
            $"SELECT count(*) FROM ticketing.orders WHERE stripe_payment_intent_id = 'pi_' || replace((SELECT hold_id FROM ticketing.order_items i WHERE i.order_id = orders.id)::text, '-', '') AND stripe_client_secret LIKE 'pi_%_secret'"));
    }

    [Fact]
    public async Task AnOrderPlacedOnHoldsThatEnded_IsRefused_AloneOrInALot()
    {
        var holds = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToArray();
        await database.ScalarAsync($"""
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
            SELECT id, '{TierId}', 'ended-' || id::text, 1, now() + interval '15 minutes' FROM unnest(ARRAY['{string.Join("','", holds)}']::uuid[]) AS id;
            UPDATE ticketing.ticket_holds SET status = 'released', ended_at = now() WHERE id = '{holds[1]}';
            UPDATE ticketing.ticket_holds SET expires_at = now() - interval '1 second' WHERE id = '{holds[4]}';
            """);
        await using var repository = new OrderRepository(database.DataSource);
        var now = DateTimeOffset.UtcNow;
        var placing = holds.Select(hold => new OrderState(
            Guid.NewGuid(), EventId, "buyer", OrderStatus.AwaitingPayment, [new OrderItem(TierId, hold, 1, 5000)], 5000, "eur",
            new OrderContact("b@example.com", "B", null), now, now.AddMinutes(15), PaymentIntentId: $"pi_{hold:N}")).ToArray();

        var placed = await Task.WhenAll(placing.Select(order => repository.InsertAsync(order, CancellationToken.None)));

        Assert.Equal([true, false, true, true, false, true], placed);
        Assert.Equal(4L, await database.ScalarAsync(
            $"SELECT count(*) FROM ticketing.orders WHERE id = ANY(ARRAY['{string.Join("','", placing.Select(o => o.Id))}']::uuid[])"));
        Assert.False(await repository.InsertAsync(placing[1] with { Id = Guid.NewGuid(), PaymentIntentId = "pi_alone" }, CancellationToken.None));
    }

    private static async Task<Exception?> Saving(OrderRepository repository, OrderState order, long version)
    {
        try
        {
            await repository.SaveAsync(order, version, "payment_intent_created", CancellationToken.None);
            return null;
        }
        catch (Exception failure)
        {
            return failure;
        }
    }
}
