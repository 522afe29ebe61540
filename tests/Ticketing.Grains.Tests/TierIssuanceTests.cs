using Ticketing.Abstractions.Tiers;
using Ticketing.Testing;

namespace Ticketing.Grains.Tests;

/// <summary>Confirm and void on real PostgreSQL: tickets exactly once, capacity back exactly once.</summary>
public sealed class TierIssuanceTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Confirm_TurnsTheHoldIntoTicketsWithUnguessableTokens()
    {
        var (tier, tierId) = await Tier(capacity: 10);
        var orderId = await Issuance.CreateOrderRowAsync(fixture.App, tierId, "ann");
        var hold = (await tier.Reserve("ann", 3)).Hold!;

        var result = await tier.Confirm(hold.Id, orderId, 3);

        Assert.Equal(TierOutcome.Done, result.Outcome);
        Assert.False(result.FromFreshCapacity);
        Assert.Equal(3, result.TicketIds.Count);
        Assert.Equal("0/3/consumed", await Row(tierId, hold.Id));
        Assert.Equal("1,2,3", await fixture.Database.ScalarAsync(
            "SELECT string_agg(sequence_number::text, ',' ORDER BY sequence_number) FROM ticketing.tickets WHERE order_id = @id", ("id", orderId)));
        Assert.Equal(3L, await fixture.Database.ScalarAsync(
            """
            SELECT count(DISTINCT k.token) FROM ticketing.ticket_tokens k JOIN ticketing.tickets t ON t.id = k.ticket_id
            WHERE t.order_id = @id AND k.status = 'active' AND length(k.token) >= 22 AND k.token !~ '[^A-Za-z0-9_-]'
            """,
            ("id", orderId)));
    }

    [Fact]
    public async Task Confirm_ManyTimesAtOnce_IssuesTheTicketsOnce()
    {
        var (tier, tierId) = await Tier(capacity: 10);
        var orderId = await Issuance.CreateOrderRowAsync(fixture.App, tierId, "bob");
        var hold = (await tier.Reserve("bob", 4)).Hold!;

        var results = await Gate.Race(25, _ => tier.Confirm(hold.Id, orderId, 4));

        Assert.All(results, r => Assert.Equal(TierOutcome.Done, r.Outcome));
        Assert.Single(results.Select(r => string.Join(",", r.TicketIds)).Distinct());
        Assert.Equal(4L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE order_id = @id", ("id", orderId)));
        Assert.Equal("0/4/consumed", await Row(tierId, hold.Id));
    }

    [Fact]
    public async Task Confirm_AfterTheHoldWasReleased_TakesFreshCapacity()
    {
        var (tier, tierId) = await Tier(capacity: 5);
        var orderId = await Issuance.CreateOrderRowAsync(fixture.App, tierId, "cat");
        var hold = (await tier.Reserve("cat", 2)).Hold!;
        await tier.Release(hold.Id, "cat");

        var result = await tier.Confirm(hold.Id, orderId, 2);

        Assert.Equal(TierOutcome.Done, result.Outcome);
        Assert.True(result.FromFreshCapacity);
        Assert.Equal("0/2/released", await Row(tierId, hold.Id));
    }

    [Fact]
    public async Task Confirm_WhenTheHoldLapsedAndNothingIsLeft_IssuesNothing()
    {
        var (tier, tierId) = await Tier(capacity: 5);
        var orderId = await Issuance.CreateOrderRowAsync(fixture.App, tierId, "dan");
        var hold = (await tier.Reserve("dan", 2)).Hold!;
        await tier.Release(hold.Id, "dan");
        await tier.Reserve("eve", 5);

        var result = await tier.Confirm(hold.Id, orderId, 2);

        Assert.Equal(TierOutcome.SoldOut, result.Outcome);
        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE order_id = @id", ("id", orderId)));
        Assert.Equal("5/0/released", await Row(tierId, hold.Id));
    }

    [Fact]
    public async Task Void_EndsTicketsRevokesTokensAndReturnsCapacityOnce()
    {
        var (tier, tierId) = await Tier(capacity: 6);
        var orderId = await Issuance.IssueAsync(fixture.App, tierId, 3);
        var tickets = (await tier.Confirm(Guid.Empty, orderId, 3)).TicketIds;

        var first = await tier.Void(orderId, [tickets[0]], TicketEnd.Refunded);
        var racing = await Gate.Race(10, _ => tier.Void(orderId, null, TicketEnd.Refunded));

        Assert.Equal(1, first);
        Assert.Equal(2, racing.Sum());
        var counters = await fixture.Database.ScalarAsync(
            "SELECT format('%s/%s', reserved_quantity, issued_quantity) FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId));
        Assert.Equal("0/0", counters);
        Assert.Equal(3L, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.tickets WHERE order_id = @id AND status = 'refunded'", ("id", orderId)));
        Assert.Equal(0L, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.ticket_tokens k JOIN ticketing.tickets t ON t.id = k.ticket_id WHERE t.order_id = @id AND k.status = 'active'",
            ("id", orderId)));
        Assert.Equal(6, (await tier.GetTier()).Tier!.Available);
    }

    [Fact]
    public async Task EveryChange_IsInTheAuditLog()
    {
        var (tier, tierId) = await Tier(capacity: 6);
        var hold = (await tier.Reserve("fay", 1)).Hold!;
        await tier.Release(hold.Id, "fay");
        await tier.ChangeCapacity(7, TicketingApp.Organization);

        var actions = await fixture.Database.ScalarAsync(
            """
            SELECT string_agg(c.change->>'action', ',' ORDER BY a.id, c.n)
            FROM ticketing.audit_log a, jsonb_array_elements(a.data->'changes') WITH ORDINALITY AS c(change, n)
            WHERE a.entity = 'tier' AND a.entity_id = @id AND a.action = 'tier_write'
            """,
            ("id", tierId.ToString()));

        Assert.Equal("hold_placed,hold_released,capacity_changed", actions);
    }

    private async Task<(ITicketTierGrain Grain, Guid Id)> Tier(int capacity)
    {
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity);
        return (fixture.App.Grains().GetGrain<ITicketTierGrain>(tierId), tierId);
    }

    /// <summary>"reserved/issued/hold status" as the database has them.</summary>
    private async Task<string?> Row(Guid tierId, Guid holdId) => (string?)await fixture.Database.ScalarAsync(
        """
        SELECT format('%s/%s/%s', t.reserved_quantity, t.issued_quantity, h.status)
        FROM ticketing.ticket_tiers t JOIN ticketing.ticket_holds h ON h.tier_id = t.id
        WHERE t.id = @tier_id AND h.id = @hold_id
        """,
        ("tier_id", tierId), ("hold_id", holdId));
}
