using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Tiers;

namespace Ticketing.Grains.Tiers;

/// <summary>
/// A tier's capacity, live holds and issued tickets, with the rules that keep
/// them honest. No I/O and no clock of its own: the grain passes the time in,
/// and drains <see cref="TakeChanges"/> into one durable write per batch.
/// Reserved is always the sum of the live holds, so it cannot drift from them.
/// </summary>
public sealed class TierInventory
{
    private readonly Dictionary<Guid, HoldInfo> holds = [];
    private readonly Dictionary<string, Guid> holdByUser = new(StringComparer.Ordinal);
    private readonly PriorityQueue<Guid, DateTimeOffset> expiries = new();
    private readonly Dictionary<Guid, List<TierTicket>> ticketsByOrder = [];
    private readonly List<TierChange> changes = [];
    private TierSnapshot tier;

    /// <summary>
    /// Rebuilds from durable state. Reserved and issued are derived from the
    /// live holds and tickets, whatever the stored counters say; the next write
    /// stores the derived ones.
    /// </summary>
    public TierInventory(TierSnapshot tier, IEnumerable<HoldInfo> activeHolds, IEnumerable<TierTicket> tickets)
    {
        this.tier = tier with { Reserved = 0, Issued = 0 };
        foreach (var hold in activeHolds)
        {
            Add(hold);
        }

        foreach (var ticket in tickets)
        {
            TicketsOf(ticket.OrderId).Add(ticket);
            if (ticket.Live)
            {
                this.tier = this.tier with { Issued = this.tier.Issued + 1 };
            }
        }
    }

    /// <summary>The tier with its counters as of the last call.</summary>
    public TierSnapshot Tier => tier;

    public int ActiveHoldCount => holds.Count;

    /// <summary>When the next live hold lapses, if any.</summary>
    public DateTimeOffset? NextExpiry
    {
        get
        {
            while (expiries.TryPeek(out var holdId, out var at))
            {
                if (holds.ContainsKey(holdId))
                {
                    return at;
                }

                expiries.Dequeue(); // ended some other way
            }

            return null;
        }
    }

    public bool HasChanges => changes.Count > 0;

    public HoldInfo? FindActiveHold(Guid holdId) => holds.GetValueOrDefault(holdId);

    /// <summary>Ends every hold whose lifetime ran out by <paramref name="now"/>; answers how many.</summary>
    public int ExpireDue(DateTimeOffset now)
    {
        var expired = 0;
        while (expiries.TryPeek(out var holdId, out var at) && at <= now)
        {
            expiries.Dequeue();
            if (holds.ContainsKey(holdId))
            {
                End(holdId, HoldStatus.Expired, now, orderId: null);
                expired++;
            }
        }

        return expired;
    }

    /// <summary>Why a reserve would be refused now (quantity out of range, too few tickets), or null when it would be placed.</summary>
    public ReserveResult? Refusal(string userId, int quantity, DateTimeOffset now)
    {
        ExpireDue(now);
        if (quantity < 1 || quantity > tier.MaxPerOrder)
        {
            return new ReserveResult(TierOutcome.Invalid, null, $"quantity must be from 1 to {tier.MaxPerOrder} for this tier.");
        }

        // A buyer's new hold replaces the old one, so the old one's tickets count as free for it.
        var free = tier.Available + (ReplacedBy(userId)?.Quantity ?? 0);
        return free < quantity ? new ReserveResult(TierOutcome.SoldOut, null, $"{tier.Available} available, {quantity} asked for.") : null;
    }

    /// <summary>
    /// Holds tickets for a buyer for <paramref name="lifetime"/>. A buyer's new
    /// hold replaces their live one on this tier and keeps its expiry.
    /// </summary>
    public ReserveResult Reserve(Guid holdId, string userId, int quantity, DateTimeOffset now, TimeSpan lifetime)
    {
        if (Refusal(userId, quantity, now) is { } refused)
        {
            return refused;
        }

        var replaced = ReplacedBy(userId);
        if (replaced is not null)
        {
            End(replaced.Id, HoldStatus.Released, now, orderId: null);
        }

        // Holding again never extends a hold: the new one lapses when the one it
        // replaces would have, or a buyer could keep seats off sale by re-holding.
        var expiresAt = replaced?.ExpiresAt ?? WholeMicroseconds(now + lifetime);
        var hold = new HoldInfo(holdId, tier.Id, userId, quantity, expiresAt, HoldStatus.Active);
        Add(hold);
        changes.Add(new HoldPlaced(hold));
        return new ReserveResult(TierOutcome.Done, hold, null, replaced?.Id);
    }

    public TierOutcome Release(Guid holdId, string userId, DateTimeOffset now)
    {
        ExpireDue(now);
        if (!holds.TryGetValue(holdId, out var hold) || hold.UserId != userId)
        {
            return TierOutcome.HoldNotFound;
        }

        End(holdId, HoldStatus.Released, now, orderId: null);
        return TierOutcome.Done;
    }

    public TierResult ChangeCapacity(int capacity, DateTimeOffset now)
    {
        ExpireDue(now);
        if (capacity < 0)
        {
            return new TierResult(TierOutcome.Invalid, tier);
        }

        if (capacity < tier.Reserved + tier.Issued)
        {
            return new TierResult(TierOutcome.BelowCommitted, tier);
        }

        if (capacity != tier.Capacity)
        {
            changes.Add(new CapacityChanged(tier.Capacity, capacity));
            tier = tier with { Capacity = capacity };
        }

        return new TierResult(TierOutcome.Done, tier);
    }

    /// <summary>
    /// Issues an order's tickets from its hold; idempotent per order. A lapsed
    /// hold is replaced by fresh capacity when there is enough.
    /// </summary>
    public ConfirmResult Confirm(Guid holdId, Guid orderId, int quantity, DateTimeOffset now, Func<Guid> newTicketId)
    {
        ExpireDue(now);
        if (ticketsByOrder.TryGetValue(orderId, out var existing) && existing.Count > 0)
        {
            return new ConfirmResult(TierOutcome.Done, existing.Select(t => t.Id).ToArray(), FromFreshCapacity: false);
        }

        if (quantity < 1)
        {
            return new ConfirmResult(TierOutcome.Invalid, [], FromFreshCapacity: false);
        }

        var fromHold = holds.TryGetValue(holdId, out var hold);
        if (fromHold && hold!.Quantity != quantity)
        {
            return new ConfirmResult(TierOutcome.Invalid, [], FromFreshCapacity: false);
        }

        if (fromHold)
        {
            End(holdId, HoldStatus.Consumed, now, orderId);
        }
        else if (tier.Available < quantity)
        {
            return new ConfirmResult(TierOutcome.SoldOut, [], FromFreshCapacity: true);
        }

        var ids = Enumerable.Range(0, quantity).Select(_ => newTicketId()).ToArray();
        var tickets = TicketsOf(orderId);
        tickets.AddRange(ids.Select((id, i) => new TierTicket(id, orderId, i + 1, Live: true)));
        tier = tier with { Issued = tier.Issued + quantity };
        changes.Add(new TicketsIssued(orderId, fromHold ? holdId : null, 1, ids));
        return new ConfirmResult(TierOutcome.Done, ids, FromFreshCapacity: !fromHold);
    }

    /// <summary>Ends an order's live tickets (all, or those named) and frees their capacity; answers how many.</summary>
    public int Void(Guid orderId, IReadOnlyCollection<Guid>? ticketIds, TicketEnd end)
    {
        if (!ticketsByOrder.TryGetValue(orderId, out var tickets))
        {
            return 0;
        }

        var ending = tickets.Where(t => t.Live && (ticketIds is null || ticketIds.Contains(t.Id))).ToList();
        if (ending.Count == 0)
        {
            return 0;
        }

        foreach (var ticket in ending)
        {
            tickets[tickets.IndexOf(ticket)] = ticket with { Live = false };
        }

        tier = tier with { Issued = tier.Issued - ending.Count };
        changes.Add(new TicketsEnded(orderId, ending.Select(t => t.Id).ToArray(), end));
        return ending.Count;
    }

    /// <summary>Records that the stored counters were wrong, so the next write stores the derived ones (and says so in the audit).</summary>
    public void CorrectStoredCounters(int storedReserved, int storedIssued) =>
        changes.Add(new CountersCorrected(storedReserved, storedIssued, tier.Reserved, tier.Issued));

    /// <summary>The changes made since the last call, oldest first.</summary>
    public IReadOnlyList<TierChange> TakeChanges()
    {
        var taken = changes.ToArray();
        changes.Clear();
        return taken;
    }

    private HoldInfo? ReplacedBy(string userId) => holdByUser.TryGetValue(userId, out var holdId) ? holds[holdId] : null;

    private void Add(HoldInfo hold)
    {
        holds.Add(hold.Id, hold);
        holdByUser[hold.UserId] = hold.Id;
        expiries.Enqueue(hold.Id, hold.ExpiresAt);
        tier = tier with { Reserved = tier.Reserved + hold.Quantity };
    }

    private void End(Guid holdId, HoldStatus status, DateTimeOffset now, Guid? orderId)
    {
        var hold = holds[holdId];
        holds.Remove(holdId);
        holdByUser.Remove(hold.UserId);
        tier = tier with { Reserved = tier.Reserved - hold.Quantity };
        changes.Add(new HoldEnded(holdId, status, now, hold.ExpiresAt, orderId));
    }

    /// <summary>
    /// The precision PostgreSQL keeps (Npgsql truncates the rest): a hold then
    /// has the same expiry in memory as in its row, and keeps it when a
    /// replacing hold inherits it from a tier that reloaded.
    /// </summary>
    private static DateTimeOffset WholeMicroseconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % 10));

    private List<TierTicket> TicketsOf(Guid orderId)
    {
        if (!ticketsByOrder.TryGetValue(orderId, out var tickets))
        {
            ticketsByOrder[orderId] = tickets = [];
        }

        return tickets;
    }
}
