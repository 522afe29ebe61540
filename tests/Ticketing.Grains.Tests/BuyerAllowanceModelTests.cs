using CsCheck;
using Ticketing.Abstractions.OnSales;
using Ticketing.Domain.OnSales;
using Ticketing.Grains.OnSales;

namespace Ticketing.Grains.Tests;

/// <summary>
/// One buyer's allowance against a model of what the database and the tiers
/// do meanwhile: claims on three tiers, the tiers writing, refusing or failing
/// them in any order, their word arriving late, out of order or never, and
/// holds expiring, going into orders, orders cancelled, paid and refunded.
/// The buyer's tickets must never pass the cap, and a refusal with nothing in
/// flight must be exact.
/// </summary>
public sealed class BuyerAllowanceModelTests
{
    private const int Cap = 6;

    private static readonly Gen<Op> AnOp = Gen.OneOf<Op>(
        Gen.Select(Gen.Int[0, 2], Gen.Int[1, 4], (tier, quantity) => (Op)new ClaimOp(tier, quantity)),
        Gen.Select(Gen.Int[0, 9], Gen.Enum<HoldFate>(), (pick, fate) => (Op)new TierDecidesOp(pick, fate)),
        Gen.Select(Gen.Int[0, 9], Gen.Bool, (pick, lost) => (Op)new WordArrivesOp(pick, lost)),
        Gen.Int[0, 2].Select(tier => (Op)new ExpireOp(tier)),
        Gen.Int[0, 2].Select(tier => (Op)new OrderOp(tier)),
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 2], (pick, how) => (Op)new OrderChangesOp(pick, how)));

    [Fact]
    public void RandomSequences_NeverPassTheCap_AndRefuseExactlyWhenNothingIsInFlight() =>
        AnOp.Array[1, 80].Sample(ops => Run(ops), iter: 3000);

    [Fact]
    public void AClaimNeitherSettledNorWritten_CountsForItsLifetime_ThenNoLonger()
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var tier = Guid.NewGuid();
        var allowance = new BuyerAllowance(new BuyerTickets(0, [], new HashSet<Guid>()));
        Assert.True(allowance.TryClaim(Guid.NewGuid(), tier, 4, Cap, now));

        var soon = allowance.ClaimAfterRead(Nothing, Guid.NewGuid(), Guid.NewGuid(), 3, Cap, now + BuyerAllowance.ClaimLifetime);
        var later = allowance.ClaimAfterRead(Nothing, Guid.NewGuid(), Guid.NewGuid(), 6, Cap, now + BuyerAllowance.ClaimLifetime + TimeSpan.FromSeconds(1));

        Assert.Equal(new ClaimResult(false, 4), soon);
        Assert.Equal(new ClaimResult(true, 0), later);
    }

    [Fact]
    public void AReplacingHold_CountsItsOwnQuantity_OnlyOnAReadThatSaysNoOrderPaysForTheOld()
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var tier = Guid.NewGuid();
        var old = new BuyerHold(Guid.NewGuid(), tier, 4);
        var allowance = new BuyerAllowance(new BuyerTickets(0, [old], new HashSet<Guid>()));

        Assert.False(allowance.TryClaim(Guid.NewGuid(), tier, 3, Cap, now));
        Assert.Equal(new ClaimResult(true, 0), allowance.ClaimAfterRead(new BuyerTickets(0, [old], new HashSet<Guid>()), Guid.NewGuid(), tier, 6, Cap, now));

        // An order pays for the old hold now: it still counts.
        var ordered = new BuyerAllowance(new BuyerTickets(0, [old], new HashSet<Guid>()));
        Assert.Equal(new ClaimResult(false, 4), ordered.ClaimAfterRead(new BuyerTickets(4, [], new HashSet<Guid>()), Guid.NewGuid(), tier, 3, Cap, now));
    }

    private static BuyerTickets Nothing => new(0, [], new HashSet<Guid>());

    private static void Run(Op[] ops)
    {
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var world = new World();
        var allowance = new BuyerAllowance(world.Read([]));
        var inFlight = new List<(Guid Id, int Tier, int Quantity)>();
        var words = new List<(Guid Id, HoldFate Fate)>();

        foreach (var op in ops)
        {
            switch (op)
            {
                case ClaimOp c:
                    var holdId = Guid.NewGuid();
                    var granted = allowance.TryClaim(holdId, World.Tiers[c.Tier], c.Quantity, Cap, now);
                    if (!granted)
                    {
                        var result = allowance.ClaimAfterRead(world.Read(allowance.Unwritten), holdId, World.Tiers[c.Tier], c.Quantity, Cap, now);
                        granted = result.Granted;
                        if (!granted && allowance.Unwritten.Count == 0)
                        {
                            // Nothing in flight: the count is the database's, less the hold this one replaces.
                            Assert.Equal(world.CountBeside(c.Tier), result.Counted);
                            Assert.True(result.Counted + c.Quantity > Cap, "refused though it fits");
                        }
                    }

                    if (granted)
                    {
                        inFlight.Add((holdId, c.Tier, c.Quantity));
                    }

                    break;
                case TierDecidesOp d when inFlight.Count > 0:
                    var claim = inFlight[d.Pick % inFlight.Count];
                    inFlight.Remove(claim);
                    if (d.Fate == HoldFate.Placed)
                    {
                        world.Place(claim.Id, claim.Tier, claim.Quantity);
                    }

                    words.Add((claim.Id, d.Fate));
                    break;
                case WordArrivesOp w when words.Count > 0:
                    var word = words[w.Pick % words.Count];
                    words.Remove(word);
                    if (!w.Lost)
                    {
                        allowance.Settle(word.Id, word.Fate);
                    }

                    break;
                case ExpireOp e:
                    world.Expire(e.Tier);
                    break;
                case OrderOp o when !inFlight.Any(c => c.Tier == o.Tier):
                    // An order on a hold a granted claim is about to replace is the one race left open (docs/architecture.md).
                    world.OrderWith(o.Tier);
                    break;
                case OrderChangesOp c:
                    world.ChangeOrder(c.Pick, c.How);
                    break;
            }

            Assert.True(world.Count <= Cap, $"the buyer has {world.Count} tickets, over the cap of {Cap}");
        }
    }

    /// <summary>What the database and the tiers hold of one buyer, as plainly as possible.</summary>
    private sealed class World
    {
        public static readonly Guid[] Tiers = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

        private readonly Dictionary<int, (Guid Id, int Quantity)> live = [];
        private readonly HashSet<Guid> inOrders = [];
        private readonly List<Order> orders = [];
        private readonly HashSet<Guid> rows = [];

        public int Count => live.Values.Where(h => !inOrders.Contains(h.Id)).Sum(h => h.Quantity) + Owed;

        private int Owed => orders.Sum(o => o.Open ? o.Quantity : o.Tickets);

        /// <summary>The count less the live hold on the tier that no order pays for: what a new hold there replaces.</summary>
        public int CountBeside(int tier) =>
            Count - (live.TryGetValue(tier, out var hold) && !inOrders.Contains(hold.Id) ? hold.Quantity : 0);

        public BuyerTickets Read(IReadOnlyCollection<Guid> claimed) => new(
            Owed,
            [.. live.Where(h => !inOrders.Contains(h.Value.Id)).Select(h => new BuyerHold(h.Value.Id, Tiers[h.Key], h.Value.Quantity))],
            claimed.Where(rows.Contains).ToHashSet());

        /// <summary>The tier writes a hold: it replaces the buyer's live hold there, whether an order pays with that one or not.</summary>
        public void Place(Guid holdId, int tier, int quantity)
        {
            live[tier] = (holdId, quantity);
            rows.Add(holdId);
        }

        public void Expire(int tier) => live.Remove(tier);

        public void OrderWith(int tier)
        {
            if (live.TryGetValue(tier, out var hold) && inOrders.Add(hold.Id))
            {
                orders.Add(new Order(hold.Id, hold.Quantity) { Open = true });
            }
        }

        /// <summary>0 cancels an unpaid order (its hold, if live, is free again), 1 pays it (tickets), 2 refunds a ticket.</summary>
        public void ChangeOrder(int pick, int how)
        {
            if (orders.Count == 0)
            {
                return;
            }

            var order = orders[pick % orders.Count];
            switch (how)
            {
                case 0 when order.Open:
                    order.Open = false;
                    inOrders.Remove(order.HoldId);
                    break;
                case 1 when order.Open:
                    order.Open = false;
                    order.Tickets = order.Quantity;
                    foreach (var tier in live.Where(h => h.Value.Id == order.HoldId).Select(h => h.Key).ToList())
                    {
                        live.Remove(tier); // consumed
                    }

                    break;
                case 2 when order.Tickets > 0:
                    order.Tickets--;
                    break;
            }
        }

        private sealed class Order(Guid holdId, int quantity)
        {
            public Guid HoldId { get; } = holdId;

            public int Quantity { get; } = quantity;

            public bool Open { get; set; }

            public int Tickets { get; set; }
        }
    }

    private abstract record Op;

    private sealed record ClaimOp(int Tier, int Quantity) : Op;

    private sealed record TierDecidesOp(int Pick, HoldFate Fate) : Op;

    private sealed record WordArrivesOp(int Pick, bool Lost) : Op;

    private sealed record ExpireOp(int Tier) : Op;

    private sealed record OrderOp(int Tier) : Op;

    private sealed record OrderChangesOp(int Pick, int How) : Op;
}
