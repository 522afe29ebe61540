using Ticketing.Abstractions.Orders;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Orders;

namespace Ticketing.Grains.Orders;

/// <summary>How a reported payment was taken.</summary>
public enum PaymentVerdict
{
    /// <summary>The money is recorded: issue the tickets.</summary>
    Recorded,

    /// <summary>Already recorded: nothing to do.</summary>
    AlreadyPaid,

    /// <summary>Amount or currency differ from the order: issue nothing, raise an alert.</summary>
    Mismatch,
}

/// <summary>
/// An order's state machine, without I/O: the grain asks it what a fact from
/// Stripe or a buyer's request means, and does the I/O it decides on.
/// Statuses move only along <see cref="Moves"/>. Stripe's facts (the payment,
/// the refunded total, the dispute) are kept even when they arrive before the
/// order can act on them, so events in any order lead to the same end.
/// </summary>
public sealed class OrderLifecycle(OrderState state)
{
    /// <summary>Every status an order may move to from each status.</summary>
    public static readonly IReadOnlyDictionary<OrderStatus, OrderStatus[]> Moves = new Dictionary<OrderStatus, OrderStatus[]>
    {
        [OrderStatus.AwaitingPayment] = [OrderStatus.Paid, OrderStatus.PaymentFailed, OrderStatus.Cancelled, OrderStatus.Expired],
        [OrderStatus.PaymentFailed] = [OrderStatus.Paid, OrderStatus.Cancelled, OrderStatus.Expired],
        // A late payment: the money came in after the order was given up.
        [OrderStatus.Cancelled] = [OrderStatus.Paid],
        [OrderStatus.Expired] = [OrderStatus.Paid],
        [OrderStatus.Paid] = [OrderStatus.Fulfilled, OrderStatus.Unfulfillable],
        [OrderStatus.Fulfilled] = [OrderStatus.PartiallyRefunded, OrderStatus.Refunded, OrderStatus.Disputed],
        [OrderStatus.PartiallyRefunded] = [OrderStatus.Refunded, OrderStatus.Disputed],
        [OrderStatus.Disputed] = [OrderStatus.Fulfilled, OrderStatus.PartiallyRefunded, OrderStatus.Refunded],
        [OrderStatus.Refunded] = [OrderStatus.Disputed],
        [OrderStatus.Unfulfillable] = [],
    };

    public OrderState State { get; private set; } = state;

    public OrderStatus Status => State.Status;

    /// <summary>Not paid yet, and still payable.</summary>
    public bool IsUnpaid => Status is OrderStatus.AwaitingPayment or OrderStatus.PaymentFailed;

    /// <summary>Paid and issued: the statuses in which tickets exist and refunds and disputes apply.</summary>
    public bool HasTickets => Status is OrderStatus.Fulfilled or OrderStatus.PartiallyRefunded or OrderStatus.Refunded or OrderStatus.Disputed;

    /// <summary>Fulfilled with no refund or dispute on record: its tickets have nothing to settle.</summary>
    public bool FulfilledUntouched =>
        Status == OrderStatus.Fulfilled && State.StatusReason is null && State.RefundedCents == 0
        && State.RefundRequests.Count == 0 && State.Dispute == DisputeState.None;

    /// <summary>Unfulfillable, and Stripe has not been asked for the refund yet.</summary>
    public bool OwesAutomaticRefund => Status == OrderStatus.Unfulfillable && State.AutomaticRefundId is null;

    /// <summary>Nothing is left for the saga to do: not waiting for a payment, not issuing, no automatic refund owed.</summary>
    public bool IsSettled => !IsUnpaid && Status != OrderStatus.Paid && !OwesAutomaticRefund;

    /// <summary>What a payment event for an order that does not exist calls for; <paramref name="createdHere"/>: this deployment created the payment.</summary>
    public static PaymentWithoutOrder WithoutOrder(PaymentEvent fact, bool createdHere) => fact.Kind switch
    {
        PaymentEventKind.Succeeded when !createdHere => PaymentWithoutOrder.NotOurs,
        PaymentEventKind.Succeeded => PaymentWithoutOrder.RefundIt,
        PaymentEventKind.Canceled => PaymentWithoutOrder.NeverPlaced,
        _ => PaymentWithoutOrder.Unknown,
    };

    /// <summary>A failure, cancellation, refund or dispute of another payment than the order's: ignored.</summary>
    public bool IsAboutAnotherPayment(PaymentEvent fact) =>
        fact.Kind != PaymentEventKind.Succeeded && State.PaymentIntentId is { } known && known != fact.PaymentIntentId;

    /// <summary>
    /// Takes a payment fact other than a success (<see cref="PaymentSucceeded"/>
    /// takes those); null when it changes nothing (a repeat, or too late to matter).
    /// </summary>
    public PaymentFact? Take(PaymentEvent fact) => fact.Kind switch
    {
        PaymentEventKind.Failed when PaymentFailed(fact.Detail) => new("payment_failed"),
        PaymentEventKind.Canceled when PaymentCanceled() => new("payment_canceled", MaySettle: true),
        PaymentEventKind.Refunded when RefundReported(fact.RefundedCents) => new("refund_reported"),
        PaymentEventKind.DisputeOpened when DisputeReported(DisputeState.Open) => new("dispute_opened", OrderAlert.DisputeOpened),
        PaymentEventKind.DisputeWon when DisputeReported(DisputeState.Won) => new("dispute_won"),
        PaymentEventKind.DisputeLost when DisputeReported(DisputeState.Lost) => new("dispute_lost", OrderAlert.DisputeLost),
        _ => null,
    };

    /// <summary>Why these holds cannot make one order, or null when they can.</summary>
    public static string? Refusal(IReadOnlyList<(HoldInfo Hold, TierSnapshot Tier)> lines)
    {
        if (lines.Select(l => l.Tier.EventId).Distinct().Count() > 1)
        {
            return "An order's holds must all be for one event.";
        }

        if (lines.Select(l => l.Tier.Currency).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            return "An order's tiers must all be priced in one currency.";
        }

        return lines.Sum(l => checked(l.Hold.Quantity * l.Tier.PriceCents)) == 0 ? "Free tickets are not paid for through an order." : null;
    }

    /// <summary>
    /// A new order for the buyer's holds, priced from their tiers. The holds
    /// keep their own expiry: the order must be paid before the first of them lapses.
    /// </summary>
    public static OrderLifecycle Place(
        Guid id, string userId, IReadOnlyList<(HoldInfo Hold, TierSnapshot Tier)> lines, OrderContact contact, DateTimeOffset now)
    {
        var items = lines.Select(l => new OrderItem(l.Tier.Id, l.Hold.Id, l.Hold.Quantity, l.Tier.PriceCents)).ToList();
        return new(new OrderState(
            id, lines[0].Tier.EventId, userId, OrderStatus.AwaitingPayment, items,
            items.Sum(i => checked(i.Quantity * i.UnitPriceCents)), lines[0].Tier.Currency, contact, now, lines.Min(l => l.Hold.ExpiresAt)));
    }

    public void PaymentCreated(string paymentIntentId, string clientSecret) =>
        State = State with { PaymentIntentId = paymentIntentId, ClientSecret = clientSecret };

    /// <summary>The buyer cancels before paying.</summary>
    public void Cancel() => GiveUp(OrderStatus.Cancelled, "cancelled by the buyer");

    /// <summary>The payment deadline passed without (a matching) payment.</summary>
    public void Expire() => GiveUp(OrderStatus.Expired, State.StatusReason is { } last
        ? $"not paid before the holds expired ({last})"
        : "not paid before the holds expired");

    public PaymentVerdict PaymentSucceeded(PaymentEvent payment, DateTimeOffset now)
    {
        if (State.AmountPaidCents is not null)
        {
            return PaymentVerdict.AlreadyPaid;
        }

        if (payment.AmountCents != State.TotalCents || !string.Equals(payment.Currency, State.Currency, StringComparison.Ordinal)
            || (State.PaymentIntentId is { } known && known != payment.PaymentIntentId))
        {
            State = State with
            {
                StatusReason = $"payment {payment.PaymentIntentId} of {payment.AmountCents} {payment.Currency} does not match the order's {State.TotalCents} {State.Currency}",
            };
            return PaymentVerdict.Mismatch;
        }

        var late = Status is OrderStatus.Cancelled or OrderStatus.Expired;
        State = State with
        {
            PaymentIntentId = payment.PaymentIntentId,
            ChargeId = payment.ChargeId ?? State.ChargeId,
            AmountPaidCents = payment.AmountCents,
            PaidAt = now,
        };
        MoveTo(OrderStatus.Paid, late ? $"paid after the order was {Status.Name()}" : null);
        return PaymentVerdict.Recorded;
    }

    /// <summary>A payment attempt failed; later attempts may still succeed.</summary>
    public bool PaymentFailed(string? detail)
    {
        if (Status != OrderStatus.AwaitingPayment)
        {
            return false; // an old failure arriving after a success, or after the order ended
        }

        MoveTo(OrderStatus.PaymentFailed, detail ?? "the payment failed");
        return true;
    }

    /// <summary>The payment intent was cancelled in Stripe.</summary>
    public bool PaymentCanceled()
    {
        if (!IsUnpaid)
        {
            return false;
        }

        GiveUp(OrderStatus.Cancelled, "the payment was cancelled");
        return true;
    }

    public void Fulfil() => MoveTo(OrderStatus.Fulfilled, null);

    /// <summary>A tier could not issue: the money goes back.</summary>
    public void CapacityGone(string reason) => MoveTo(OrderStatus.Unfulfillable, reason);

    public void AutomaticRefundCreated(string refundId) => State = State with { AutomaticRefundId = refundId };

    /// <summary>Stripe's running refunded total for the charge; an older, smaller report changes nothing.</summary>
    public bool RefundReported(long refundedCents)
    {
        if (refundedCents <= State.RefundedCents)
        {
            return false;
        }

        State = State with { RefundedCents = refundedCents };
        return true;
    }

    public bool DisputeReported(DisputeState dispute)
    {
        // A dispute only moves forward: open, then won or lost.
        if (dispute == State.Dispute || State.Dispute is DisputeState.Won or DisputeState.Lost)
        {
            return false;
        }

        State = State with { Dispute = dispute };
        return true;
    }

    /// <summary>Remembers a refund about to be asked of Stripe; the same request again changes nothing.</summary>
    public bool RefundRequested(RefundRequest request)
    {
        if (State.RefundRequests.Any(r => r.Key == request.Key))
        {
            return false;
        }

        State = State with { RefundRequests = [.. State.RefundRequests, request] };
        return true;
    }

    /// <summary>Stripe created the refund asked for under <paramref name="key"/>.</summary>
    public void RefundCreated(string key, string refundId) =>
        State = State with { RefundRequests = [.. State.RefundRequests.Select(r => r.Key == key ? r with { RefundId = refundId } : r)] };

    /// <summary>Stripe refused the refund asked for under <paramref name="key"/>: its tickets are refundable again.</summary>
    public void RefundRefused(string key) =>
        State = State with { RefundRequests = [.. State.RefundRequests.Where(r => r.Key != key)] };

    /// <summary>Tickets named in a refund asked for but not yet reported by Stripe.</summary>
    public IReadOnlySet<Guid> PendingRefundTickets(IReadOnlyList<OrderTicket> tickets)
    {
        var refunded = RefundedTickets(tickets);
        return State.RefundRequests.SelectMany(r => r.TicketIds).Where(id => !refunded.Contains(id)).ToHashSet();
    }

    /// <summary>The price of each ticket named, from the order's items.</summary>
    public long PriceOf(IEnumerable<OrderTicket> tickets) =>
        tickets.Sum(t => State.Items.First(i => i.TierId == t.TierId).UnitPriceCents);

    /// <summary>
    /// Which of the order's tickets the refunded total pays back. Refunds asked
    /// through the API cover their own tickets, in the order asked; money
    /// refunded elsewhere (Stripe's dashboard) covers the remaining tickets
    /// from the last one back, as far as it goes; a full refund covers all.
    /// Depends only on the facts, so it gives the same answer however often
    /// and in whatever order they arrived.
    /// </summary>
    public IReadOnlySet<Guid> RefundedTickets(IReadOnlyList<OrderTicket> tickets)
    {
        if (State.AmountPaidCents is not { } paid || State.RefundedCents == 0)
        {
            return new HashSet<Guid>();
        }

        if (State.RefundedCents >= paid)
        {
            return tickets.Select(t => t.Id).ToHashSet();
        }

        var refunded = new HashSet<Guid>();
        var covered = 0L;
        foreach (var request in State.RefundRequests)
        {
            if (covered + request.AmountCents > State.RefundedCents)
            {
                break;
            }

            covered += request.AmountCents;
            refunded.UnionWith(request.TicketIds);
        }

        var rest = State.RefundedCents - covered;
        var requested = State.RefundRequests.SelectMany(r => r.TicketIds).ToHashSet();
        foreach (var ticket in tickets.Where(t => !requested.Contains(t.Id)).OrderByDescending(t => t.TierId).ThenByDescending(t => t.SequenceNumber))
        {
            var price = PriceOf([ticket]);
            if (price > 0 && price <= rest)
            {
                refunded.Add(ticket.Id);
                rest -= price;
            }
        }

        return refunded;
    }

    /// <summary>The issued tickets the facts say must end now, and how.</summary>
    public IReadOnlyList<(OrderTicket Ticket, Abstractions.Tiers.TicketEnd End)> TicketsToEnd(IReadOnlyList<OrderTicket> tickets)
    {
        if (!HasTickets)
        {
            return [];
        }

        var refunded = RefundedTickets(tickets);
        var ending = new List<(OrderTicket, Abstractions.Tiers.TicketEnd)>();
        foreach (var ticket in tickets.Where(t => t.Issued))
        {
            if (refunded.Contains(ticket.Id))
            {
                ending.Add((ticket, Abstractions.Tiers.TicketEnd.Refunded));
            }
            else if (State.Dispute == DisputeState.Lost)
            {
                ending.Add((ticket, Abstractions.Tiers.TicketEnd.Voided));
            }
        }

        return ending;
    }

    /// <summary>
    /// Once tickets exist, the status follows from the facts: a dispute in
    /// progress or lost, all tickets refunded, some, or none.
    /// </summary>
    public bool Settle(IReadOnlyList<OrderTicket> tickets)
    {
        if (!HasTickets)
        {
            return false;
        }

        var refunded = RefundedTickets(tickets);
        var (target, reason) = State.Dispute switch
        {
            DisputeState.Open => (OrderStatus.Disputed, "the payment is disputed"),
            DisputeState.Lost => (OrderStatus.Disputed, "the dispute was lost: tickets voided"),
            _ when tickets.Count > 0 && refunded.Count == tickets.Count => (OrderStatus.Refunded, (string?)null),
            _ when refunded.Count > 0 => (OrderStatus.PartiallyRefunded, null),
            _ => (OrderStatus.Fulfilled, null),
        };
        if (target == Status && reason == State.StatusReason)
        {
            return false;
        }

        if (target == Status)
        {
            State = State with { StatusReason = reason };
            return true;
        }

        MoveTo(target, reason);
        return true;
    }

    /// <summary>An order that will not be paid lets go of its holds: they stay the buyer's, for another order.</summary>
    private void GiveUp(OrderStatus to, string reason)
    {
        MoveTo(to, reason);
        State = State with { Items = [.. State.Items.Select(i => i with { HoldId = null })] };
    }

    private void MoveTo(OrderStatus to, string? reason)
    {
        if (!Moves[Status].Contains(to))
        {
            throw new OrderTransitionException(Status, to);
        }

        State = State with { Status = to, StatusReason = reason };
    }
}
