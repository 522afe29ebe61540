using Microsoft.Extensions.Time.Testing;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Tiers;
using Ticketing.Grains.Tiers;

namespace Ticketing.Grains.Tests;

public sealed class TierInventoryTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(15);
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Reserve_WhenAvailable_HoldsAndCountsIt()
    {
        var tier = Tier(capacity: 10);

        var result = tier.Reserve(Guid.NewGuid(), "ann", 4, clock.GetUtcNow(), Ttl);

        Assert.Equal(TierOutcome.Done, result.Outcome);
        Assert.Equal(clock.GetUtcNow() + Ttl, result.Hold!.ExpiresAt);
        Assert.Equal((4, 0, 6), Counters(tier));
        Assert.IsType<HoldPlaced>(Assert.Single(tier.TakeChanges()));
    }

    [Fact]
    public void Reserve_WhenSoldOut_ChangesNothing()
    {
        var tier = Tier(capacity: 3);

        var result = tier.Reserve(Guid.NewGuid(), "ann", 4, clock.GetUtcNow(), Ttl);

        Assert.Equal(TierOutcome.SoldOut, result.Outcome);
        Assert.Equal((0, 0, 3), Counters(tier));
        Assert.Empty(tier.TakeChanges());
    }

    [Fact]
    public void Reserve_ReplacingALiveHold_KeepsItsExpiry()
    {
        var tier = Tier(capacity: 10);
        var first = tier.Reserve(Guid.NewGuid(), "ann", 2, clock.GetUtcNow(), Ttl).Hold!;

        clock.Advance(TimeSpan.FromMinutes(10));
        var second = tier.Reserve(Guid.NewGuid(), "ann", 3, clock.GetUtcNow(), Ttl).Hold!;

        Assert.Equal(first.ExpiresAt, second.ExpiresAt);
        var changes = tier.TakeChanges();
        Assert.Equal(first.ExpiresAt, Assert.IsType<HoldPlaced>(changes[^1]).Hold.ExpiresAt);
        Assert.Equal(first.ExpiresAt, tier.NextExpiry);

        // At the first hold's expiry, the replacing one lapses with it.
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, tier.ExpireDue(clock.GetUtcNow()));
        Assert.Null(tier.FindActiveHold(second.Id));
        Assert.Equal((0, 0, 10), Counters(tier));
    }

    [Fact]
    public void Reserve_ExpiresInWholeMicroseconds_AsTheRowKeepsIt()
    {
        var tier = Tier(capacity: 10);
        clock.Advance(TimeSpan.FromTicks(1_234_567));

        var hold = tier.Reserve(Guid.NewGuid(), "ann", 1, clock.GetUtcNow(), Ttl).Hold!;

        Assert.Equal(clock.GetUtcNow() + Ttl - TimeSpan.FromTicks(7), hold.ExpiresAt);
    }

    [Fact]
    public void Reserve_AfterTheLastHoldEnded_LastsTheFullTime()
    {
        var tier = Tier(capacity: 10);
        var first = tier.Reserve(Guid.NewGuid(), "ann", 2, clock.GetUtcNow(), Ttl).Hold!;
        clock.Advance(TimeSpan.FromMinutes(10));
        tier.Release(first.Id, "ann", clock.GetUtcNow());

        var again = tier.Reserve(Guid.NewGuid(), "ann", 2, clock.GetUtcNow(), Ttl).Hold!;
        var other = tier.Reserve(Guid.NewGuid(), "bob", 2, clock.GetUtcNow(), Ttl).Hold!;

        Assert.Equal(clock.GetUtcNow() + Ttl, again.ExpiresAt);
        Assert.Equal(clock.GetUtcNow() + Ttl, other.ExpiresAt);
    }

    [Fact]
    public void Reserve_ReplacingFails_KeepsTheLiveHoldAsItWas()
    {
        var tier = Tier(capacity: 5);
        var first = tier.Reserve(Guid.NewGuid(), "ann", 2, clock.GetUtcNow(), Ttl).Hold!;
        clock.Advance(TimeSpan.FromMinutes(1));

        var refused = tier.Reserve(Guid.NewGuid(), "ann", 6, clock.GetUtcNow(), Ttl);

        Assert.Equal(TierOutcome.SoldOut, refused.Outcome);
        Assert.Equal(first, tier.FindActiveHold(first.Id));
    }

    [Fact]
    public void ExpiredHold_NeverCountsAgainstCapacity_EvenBeforeAnyTimerRuns()
    {
        var tier = Tier(capacity: 5);
        tier.Reserve(Guid.NewGuid(), "ann", 5, clock.GetUtcNow(), Ttl);
        tier.TakeChanges();

        clock.Advance(Ttl);
        var result = tier.Reserve(Guid.NewGuid(), "bob", 5, clock.GetUtcNow(), Ttl);

        Assert.Equal(TierOutcome.Done, result.Outcome);
        var changes = tier.TakeChanges();
        Assert.Equal(HoldStatus.Expired, Assert.IsType<HoldEnded>(changes[0]).Status);
        Assert.IsType<HoldPlaced>(changes[1]);
    }

    [Fact]
    public void ExpireDue_JustBeforeExpiry_KeepsTheHold()
    {
        var tier = Tier(capacity: 5);
        tier.Reserve(Guid.NewGuid(), "ann", 2, clock.GetUtcNow(), Ttl);

        clock.Advance(Ttl - TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, tier.ExpireDue(clock.GetUtcNow()));
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMilliseconds(1), tier.NextExpiry);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, tier.ExpireDue(clock.GetUtcNow()));
        Assert.Null(tier.NextExpiry);
        Assert.Equal((0, 0, 5), Counters(tier));
    }

    [Fact]
    public void Confirm_ConsumesTheHoldOnce_PerOrder()
    {
        var tier = Tier(capacity: 5);
        var hold = tier.Reserve(Guid.NewGuid(), "ann", 3, clock.GetUtcNow(), Ttl).Hold!;
        var orderId = Guid.NewGuid();

        var first = tier.Confirm(hold.Id, orderId, 3, clock.GetUtcNow(), Guid.NewGuid);
        var again = tier.Confirm(hold.Id, orderId, 3, clock.GetUtcNow(), Guid.NewGuid);

        Assert.Equal(TierOutcome.Done, first.Outcome);
        Assert.False(first.FromFreshCapacity);
        Assert.Equal(first.TicketIds, again.TicketIds);
        Assert.Equal((0, 3, 2), Counters(tier));
    }

    [Fact]
    public void Confirm_AfterTheHoldLapsed_TakesFreshCapacityWhenThereIsSome()
    {
        var tier = Tier(capacity: 5);
        var hold = tier.Reserve(Guid.NewGuid(), "ann", 3, clock.GetUtcNow(), Ttl).Hold!;
        clock.Advance(Ttl + TimeSpan.FromMinutes(1));

        var result = tier.Confirm(hold.Id, Guid.NewGuid(), 3, clock.GetUtcNow(), Guid.NewGuid);

        Assert.Equal(TierOutcome.Done, result.Outcome);
        Assert.True(result.FromFreshCapacity);
        Assert.Equal((0, 3, 2), Counters(tier));
    }

    [Fact]
    public void Confirm_AfterTheHoldLapsedAndTheTierSoldOut_AnswersSoldOut()
    {
        var tier = Tier(capacity: 5);
        var hold = tier.Reserve(Guid.NewGuid(), "ann", 3, clock.GetUtcNow(), Ttl).Hold!;
        clock.Advance(Ttl);
        tier.Reserve(Guid.NewGuid(), "bob", 4, clock.GetUtcNow(), Ttl);

        var result = tier.Confirm(hold.Id, Guid.NewGuid(), 3, clock.GetUtcNow(), Guid.NewGuid);

        Assert.Equal(TierOutcome.SoldOut, result.Outcome);
        Assert.Empty(result.TicketIds);
        Assert.Equal((4, 0, 1), Counters(tier));
    }

    [Fact]
    public void Void_ReturnsCapacityOnce()
    {
        var tier = Tier(capacity: 5);
        var hold = tier.Reserve(Guid.NewGuid(), "ann", 3, clock.GetUtcNow(), Ttl).Hold!;
        var orderId = Guid.NewGuid();
        var tickets = tier.Confirm(hold.Id, orderId, 3, clock.GetUtcNow(), Guid.NewGuid).TicketIds;

        var one = tier.Void(orderId, [tickets[0]], TicketEnd.Refunded);
        var rest = tier.Void(orderId, null, TicketEnd.Refunded);
        var again = tier.Void(orderId, null, TicketEnd.Refunded);

        Assert.Equal((1, 2, 0), (one, rest, again));
        Assert.Equal((0, 0, 5), Counters(tier));
    }

    [Fact]
    public void ChangeCapacity_BelowCommitted_IsRefused()
    {
        var tier = Tier(capacity: 10);
        tier.Reserve(Guid.NewGuid(), "ann", 4, clock.GetUtcNow(), Ttl);

        Assert.Equal(TierOutcome.BelowCommitted, tier.ChangeCapacity(3, clock.GetUtcNow()).Outcome);
        Assert.Equal(TierOutcome.Done, tier.ChangeCapacity(4, clock.GetUtcNow()).Outcome);
        Assert.Equal((4, 0, 0), Counters(tier));
    }

    [Fact]
    public void Rebuild_DerivesCountersFromHoldsAndTickets_NotFromTheStoredRow()
    {
        var snapshot = new TierSnapshot(Guid.NewGuid(), Guid.NewGuid(), "GA", 100, "eur", 10, Reserved: 9, Issued: 9, MaxPerOrder: 10);
        var hold = new HoldInfo(Guid.NewGuid(), snapshot.Id, "ann", 2, clock.GetUtcNow() + Ttl, HoldStatus.Active);
        var orderId = Guid.NewGuid();
        TierTicket[] tickets = [new(Guid.NewGuid(), orderId, 1, Live: true), new(Guid.NewGuid(), orderId, 2, Live: false)];

        var tier = new TierInventory(snapshot, [hold], tickets);

        Assert.Equal((2, 1, 7), Counters(tier));
    }

    private static TierInventory Tier(int capacity, int maxPerOrder = 10) =>
        new(new TierSnapshot(Guid.NewGuid(), Guid.NewGuid(), "GA", 2500, "eur", capacity, 0, 0, maxPerOrder), [], []);

    private static (int Reserved, int Issued, int Available) Counters(TierInventory tier) =>
        (tier.Tier.Reserved, tier.Tier.Issued, tier.Tier.Available);
}
