using CsCheck;
using Ticketing.Abstractions.Tiers;
using Ticketing.Grains.Tiers;

namespace Ticketing.Grains.Tests;

/// <summary>
/// Random sequences of reserve, release, time passing, confirm, void and
/// capacity changes, run against the inventory and against a model written
/// as plainly as possible: every outcome and counter must agree, and the
/// invariants must hold after every step.
/// </summary>
public sealed class TierInventoryModelTests
{
    internal static readonly Gen<Op> AnOp = Gen.OneOf<Op>(
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 7], (user, quantity) => (Op)new ReserveOp(user, quantity)),
        Gen.Int[0, 5].Select(user => (Op)new ReleaseOp(user)),
        Gen.Int[0, 20].Select(minutes => (Op)new AdvanceOp(minutes)),
        Gen.Select(Gen.Int[0, 5], Gen.Int[0, 4], (user, order) => (Op)new ConfirmOp(user, order)),
        Gen.Int[0, 4].Select(order => (Op)new VoidOp(order)),
        Gen.Int[0, 30].Select(capacity => (Op)new CapacityOp(capacity)));

    [Fact]
    public void RandomSequences_AgreeWithTheModel_AndKeepTheInvariants() =>
        AnOp.Array[1, 80].Sample(ops => Run(ops), iter: 3000);

    private static void Run(Op[] ops)
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ttl = TimeSpan.FromMinutes(15);
        var snapshot = new TierSnapshot(Guid.NewGuid(), Guid.NewGuid(), "GA", 1000, "eur", 12, 0, 0, MaxPerOrder: 6);
        var inventory = new TierInventory(snapshot, [], []);
        var model = new Model(12, 6);
        var lastHold = new Dictionary<int, HoldInfo>();
        var orderIds = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToArray();

        foreach (var op in ops)
        {
            switch (op)
            {
                case ReserveOp r:
                    var newId = Guid.NewGuid();
                    var reserved = inventory.Reserve(newId, $"user-{r.User}", r.Quantity, now, ttl);
                    var (outcome, expiresAt) = model.Reserve(newId, r.User, r.Quantity, now, ttl);
                    Assert.Equal(outcome, reserved.Outcome);
                    Assert.Equal(expiresAt, reserved.Hold?.ExpiresAt);
                    if (reserved.Hold is { } hold)
                    {
                        lastHold[r.User] = hold;
                    }

                    break;
                case ReleaseOp r:
                    var holdId = lastHold.TryGetValue(r.User, out var last) ? last.Id : Guid.NewGuid();
                    Assert.Equal(model.Release(r.User, holdId, now), inventory.Release(holdId, $"user-{r.User}", now));
                    break;
                case AdvanceOp a:
                    now += TimeSpan.FromMinutes(a.Minutes);
                    break;
                case ConfirmOp c when lastHold.TryGetValue(c.User, out var held):
                    var confirmed = inventory.Confirm(held.Id, orderIds[c.Order], held.Quantity, now, Guid.NewGuid);
                    Assert.Equal(model.Confirm(held.Id, c.Order, held.Quantity, now), confirmed.Outcome);
                    break;
                case VoidOp v:
                    Assert.Equal(model.Void(v.Order), inventory.Void(orderIds[v.Order], null, TicketEnd.Refunded));
                    break;
                case CapacityOp c:
                    Assert.Equal(model.ChangeCapacity(c.Capacity, now), inventory.ChangeCapacity(c.Capacity, now).Outcome);
                    break;
            }

            inventory.ExpireDue(now); // as every read of the tier does
            var tier = inventory.Tier;
            Assert.Equal((model.Capacity, model.Reserved(now), model.Issued), (tier.Capacity, tier.Reserved, tier.Issued));
            Assert.True(tier.Reserved >= 0 && tier.Issued >= 0, "negative counter");
            Assert.True(tier.Reserved + tier.Issued <= tier.Capacity, "oversold");
        }
    }

    /// <summary>The rules, written as plainly as possible.</summary>
    private sealed class Model(int capacity, int maxPerOrder)
    {
        private readonly Dictionary<int, (Guid Id, int Quantity, DateTimeOffset ExpiresAt)> holds = [];
        private readonly Dictionary<int, int> liveTickets = [];
        private readonly HashSet<int> ordersWithTickets = [];

        public int Capacity { get; private set; } = capacity;

        public int Issued => liveTickets.Values.Sum();

        public int Reserved(DateTimeOffset now) => holds.Values.Where(h => h.ExpiresAt > now).Sum(h => h.Quantity);

        /// <summary>The outcome, and when the hold placed lapses: a replacing hold when the one it replaces would have.</summary>
        public (TierOutcome Outcome, DateTimeOffset? ExpiresAt) Reserve(Guid holdId, int user, int quantity, DateTimeOffset now, TimeSpan ttl)
        {
            Expire(now);
            if (quantity < 1 || quantity > maxPerOrder)
            {
                return (TierOutcome.Invalid, null);
            }

            var live = holds.TryGetValue(user, out var h);
            var own = live ? h.Quantity : 0;
            if (Capacity - Reserved(now) - Issued + own < quantity)
            {
                return (TierOutcome.SoldOut, null);
            }

            var expiresAt = live ? h.ExpiresAt : now + ttl;
            holds[user] = (holdId, quantity, expiresAt);
            return (TierOutcome.Done, expiresAt);
        }

        public TierOutcome Release(int user, Guid holdId, DateTimeOffset now)
        {
            Expire(now);
            if (!holds.TryGetValue(user, out var hold) || hold.Id != holdId)
            {
                return TierOutcome.HoldNotFound;
            }

            holds.Remove(user);
            return TierOutcome.Done;
        }

        public TierOutcome Confirm(Guid holdId, int order, int quantity, DateTimeOffset now)
        {
            Expire(now);
            if (ordersWithTickets.Contains(order))
            {
                return TierOutcome.Done;
            }

            var holder = holds.Where(h => h.Value.Id == holdId).Select(h => (int?)h.Key).SingleOrDefault();
            if (holder is { } user)
            {
                holds.Remove(user);
            }
            else if (Capacity - Reserved(now) - Issued < quantity)
            {
                return TierOutcome.SoldOut;
            }

            ordersWithTickets.Add(order);
            liveTickets[order] = quantity;
            return TierOutcome.Done;
        }

        public int Void(int order)
        {
            var voided = liveTickets.GetValueOrDefault(order);
            liveTickets[order] = 0;
            return voided;
        }

        public TierOutcome ChangeCapacity(int capacity, DateTimeOffset now)
        {
            Expire(now);
            if (capacity < Reserved(now) + Issued)
            {
                return TierOutcome.BelowCommitted;
            }

            Capacity = capacity;
            return TierOutcome.Done;
        }

        private void Expire(DateTimeOffset now)
        {
            foreach (var user in holds.Where(h => h.Value.ExpiresAt <= now).Select(h => h.Key).ToList())
            {
                holds.Remove(user);
            }
        }
    }

    internal abstract record Op;

    internal sealed record ReserveOp(int User, int Quantity) : Op;

    internal sealed record ReleaseOp(int User) : Op;

    internal sealed record AdvanceOp(int Minutes) : Op;

    internal sealed record ConfirmOp(int User, int Order) : Op;

    internal sealed record VoidOp(int Order) : Op;

    internal sealed record CapacityOp(int Capacity) : Op;
}
