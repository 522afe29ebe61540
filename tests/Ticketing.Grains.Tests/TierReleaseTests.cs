using Ticketing.Abstractions.Tiers;
using Ticketing.Testing;

namespace Ticketing.Grains.Tests;

/// <summary>
/// The tier decides a release on real PostgreSQL: the owner's live hold goes
/// back once; an ended one changes nothing; someone else's, a consumed one and
/// one an unpaid order pays with are refused and keep what they hold.
/// </summary>
public sealed class TierReleaseTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task TheOwnersLiveHold_IsReleasedOnce_AndReleasingItAgainChangesNothing()
    {
        var (tier, tierId) = await Tier(capacity: 5);
        var hold = (await tier.Reserve("ann", 3)).Hold!;

        var outcomes = await Gate.Race(20, _ => tier.Release(hold.Id, "ann"));
        var again = await tier.Release(hold.Id, "ann");

        Assert.All(outcomes, o => Assert.Equal(TierOutcome.Done, o));
        Assert.Equal(TierOutcome.Done, again);
        Assert.Equal("0/0/released", await Row(tierId, hold.Id));
        Assert.Equal(5, (await tier.GetTier()).Tier!.Available);
    }

    [Fact]
    public async Task AnotherBuyersHold_AnUnknownOne_OrOneOfAnotherTier_IsNotFound_AndKeepsItsTickets()
    {
        var (tier, tierId) = await Tier(capacity: 5);
        var hold = (await tier.Reserve("bob", 2)).Hold!;
        var (other, otherId) = await Tier(capacity: 5);
        var elsewhere = (await other.Reserve("bob", 1)).Hold!;

        Assert.Equal(TierOutcome.HoldNotFound, await tier.Release(hold.Id, "mallory"));
        Assert.Equal(TierOutcome.HoldNotFound, await tier.Release(Guid.NewGuid(), "bob"));
        Assert.Equal(TierOutcome.HoldNotFound, await tier.Release(elsewhere.Id, "bob"));
        Assert.Equal("2/0/active", await Row(tierId, hold.Id));
        Assert.Equal("1/0/active", await Row(otherId, elsewhere.Id));

        // Ended, it is still someone else's.
        Assert.Equal(TierOutcome.Done, await tier.Release(hold.Id, "bob"));
        Assert.Equal(TierOutcome.HoldNotFound, await tier.Release(hold.Id, "mallory"));
    }

    [Fact]
    public async Task AHoldTurnedIntoTickets_IsConsumed_AndKeepsItsTickets()
    {
        var (tier, tierId) = await Tier(capacity: 5);
        var orderId = await Issuance.CreateOrderRowAsync(fixture.App, tierId, "cat");
        var hold = (await tier.Reserve("cat", 2)).Hold!;
        Assert.Equal(TierOutcome.Done, (await tier.Confirm(hold.Id, orderId, 2)).Outcome);

        Assert.Equal(TierOutcome.HoldConsumed, await tier.Release(hold.Id, "cat"));
        Assert.Equal("0/2/consumed", await Row(tierId, hold.Id));
    }

    [Fact]
    public async Task AHoldAnUnpaidOrderPaysWith_IsInOrder_LiveOrEnded_UntilTheOrderIsCancelled()
    {
        var (tier, tierId) = await Tier(capacity: 5);
        var orderId = await Issuance.CreateOrderRowAsync(fixture.App, tierId, "dan");
        var first = (await tier.Reserve("dan", 2)).Hold!;
        await PayWith(orderId, tierId, first.Id);

        Assert.Equal(TierOutcome.HoldInOrder, await tier.Release(first.Id, "dan"));
        Assert.Equal("2/0/active", await Row(tierId, first.Id));

        // A second hold replaces the first: ended, the order still pays with it.
        var second = (await tier.Reserve("dan", 1)).Hold!;
        Assert.Equal(TierOutcome.HoldInOrder, await tier.Release(first.Id, "dan"));
        Assert.Equal("1/0/released", await Row(tierId, first.Id));

        await fixture.Database.ScalarAsync("UPDATE ticketing.orders SET status = 'cancelled' WHERE id = @id", ("id", orderId));
        Assert.Equal(TierOutcome.Done, await tier.Release(first.Id, "dan"));
        Assert.Equal(TierOutcome.Done, await tier.Release(second.Id, "dan"));
        Assert.Equal("0/0/released", await Row(tierId, second.Id));
    }

    private async Task PayWith(Guid orderId, Guid tierId, Guid holdId) => await fixture.Database.ScalarAsync(
        """
        INSERT INTO ticketing.order_items (order_id, tier_id, hold_id, quantity, unit_price_cents)
        SELECT @order_id, @tier_id, id, quantity, 2500 FROM ticketing.ticket_holds WHERE id = @hold_id
        """,
        ("order_id", orderId), ("tier_id", tierId), ("hold_id", holdId));

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
