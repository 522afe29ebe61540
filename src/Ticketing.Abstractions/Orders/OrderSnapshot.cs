namespace Ticketing.Abstractions.Orders;

/// <summary>An order as its buyer and the organiser see it.</summary>
/// <param name="Id">The order id.</param>
/// <param name="EventId">The event all its tiers belong to.</param>
/// <param name="UserId">The buyer.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Items">One line per tier.</param>
/// <param name="TotalCents">What the buyer pays, in minor units.</param>
/// <param name="Currency">Lowercase ISO 4217.</param>
/// <param name="PaymentIntentId">The Stripe payment intent, once created.</param>
/// <param name="ClientSecret">What the buyer's browser confirms the payment with.</param>
/// <param name="CreatedAt">When it was placed.</param>
/// <param name="ExpiresAt">The payment deadline: the first of its holds to expire.</param>
/// <param name="PaidAt">When the money came in.</param>
/// <param name="RefundedCents">How much went back to the buyer so far.</param>
/// <param name="StatusReason">Why it stands where it does, when that needs saying.</param>
/// <param name="RefundPendingCents">Refunds asked for that Stripe has not reported yet.</param>
/// <param name="RefundPendingTicketIds">The tickets those refunds pay back: they end when Stripe reports the money returned.</param>
[GenerateSerializer, Immutable]
public sealed record OrderSnapshot(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid EventId,
    [property: Id(2)] string UserId,
    [property: Id(3)] OrderStatus Status,
    [property: Id(4)] IReadOnlyList<OrderItem> Items,
    [property: Id(5)] long TotalCents,
    [property: Id(6)] string Currency,
    [property: Id(7)] string? PaymentIntentId,
    [property: Id(8)] string? ClientSecret,
    [property: Id(9)] DateTimeOffset CreatedAt,
    [property: Id(10)] DateTimeOffset ExpiresAt,
    [property: Id(11)] DateTimeOffset? PaidAt,
    [property: Id(12)] long RefundedCents,
    [property: Id(13)] string? StatusReason,
    [property: Id(14)] long RefundPendingCents,
    [property: Id(15)] IReadOnlyList<Guid> RefundPendingTicketIds);
