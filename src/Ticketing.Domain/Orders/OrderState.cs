using Ticketing.Abstractions.Orders;

namespace Ticketing.Domain.Orders;

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
