using Ticketing.Abstractions.Orders;

namespace Ticketing.Persistence.Orders;

/// <summary>Where a payment dispute stands.</summary>
public enum DisputeState
{
    None,
    Open,
    Won,
    Lost,
}

/// <summary>
/// A refund asked for through the API, and the tickets it pays back. Kept
/// (by its idempotency key) before Stripe is asked, so a crash in between
/// still knows which tickets the money is for; the refund id follows.
/// </summary>
public sealed record RefundRequest(string Key, IReadOnlyList<Guid> TicketIds, long AmountCents, string? RefundId = null);

/// <summary>An order's durable state: one row of ticketing.orders with its items.</summary>
public sealed record OrderState(
    Guid Id,
    Guid EventId,
    string UserId,
    OrderStatus Status,
    IReadOnlyList<OrderItem> Items,
    long TotalCents,
    string Currency,
    OrderContact Contact,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? PaymentIntentId = null,
    string? ClientSecret = null,
    string? ChargeId = null,
    long? AmountPaidCents = null,
    DateTimeOffset? PaidAt = null,
    long RefundedCents = 0,
    DisputeState Dispute = DisputeState.None,
    string? AutomaticRefundId = null,
    IReadOnlyList<RefundRequest>? RefundRequests = null,
    string? StatusReason = null)
{
    public IReadOnlyList<RefundRequest> RefundRequests { get; init; } = RefundRequests ?? [];

    public OrderSnapshot ToSnapshot()
    {
        var (pendingCents, pendingTickets) = PendingRefunds();
        return new(
            Id, EventId, UserId, Status, Items, TotalCents, Currency, PaymentIntentId, ClientSecret,
            CreatedAt, ExpiresAt, PaidAt, RefundedCents, StatusReason, pendingCents, pendingTickets);
    }

    /// <summary>
    /// The refunds asked for that Stripe's refunded total does not cover yet,
    /// taken in the order they were asked (as the order's tickets are ended).
    /// </summary>
    private (long Cents, IReadOnlyList<Guid> TicketIds) PendingRefunds()
    {
        long covered = 0;
        var index = 0;
        for (; index < RefundRequests.Count && covered + RefundRequests[index].AmountCents <= RefundedCents; index++)
        {
            covered += RefundRequests[index].AmountCents;
        }

        var pending = RefundRequests.Skip(index).ToList();
        return (pending.Sum(r => r.AmountCents), [.. pending.SelectMany(r => r.TicketIds)]);
    }
}

/// <summary>
/// A ticket of an order as the order sees it: <c>Status</c> is issued,
/// refunded or voided; <c>QrToken</c> is the live token (none once it ended).
/// </summary>
public sealed record OrderTicket(Guid Id, Guid OrderId, Guid TierId, int SequenceNumber, string Status, string? QrToken)
{
    public bool Issued => Status == "issued";
}

public sealed class OrderVersionConflictException(Guid orderId, long expected, Exception inner)
    : Exception($"Order {orderId} is no longer at version {expected}: another activation wrote it.", inner);
