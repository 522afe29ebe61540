namespace Ticketing.Abstractions.Orders;

/// <summary>What Stripe says happened to an order's payment.</summary>
public enum PaymentEventKind
{
    /// <summary>The money came in.</summary>
    Succeeded,

    /// <summary>An attempt to pay failed.</summary>
    Failed,

    /// <summary>The payment intent was cancelled.</summary>
    Canceled,

    /// <summary>Some or all of the charge went back (<see cref="PaymentEvent.RefundedCents"/> is the running total).</summary>
    Refunded,

    /// <summary>The buyer's bank opened a dispute.</summary>
    DisputeOpened,

    /// <summary>The dispute was decided for the seller.</summary>
    DisputeWon,

    /// <summary>The dispute was decided for the buyer: the money is gone.</summary>
    DisputeLost,
}

/// <summary>One fact about an order's payment, taken from a Stripe event.</summary>
/// <param name="EventId">The Stripe event it came from.</param>
/// <param name="Kind">What happened.</param>
/// <param name="PaymentIntentId">The payment intent it is about.</param>
/// <param name="AmountCents">The amount received (for a success) or disputed.</param>
/// <param name="Currency">Lowercase ISO 4217.</param>
/// <param name="ChargeId">The charge, when there is one.</param>
/// <param name="RefundedCents">The charge's refunded total, for <see cref="PaymentEventKind.Refunded"/>.</param>
/// <param name="Detail">Stripe's message (a decline reason...).</param>
/// <param name="Origin">The deployment that created the payment intent (its mark in the metadata), when known.</param>
[GenerateSerializer, Immutable]
public sealed record PaymentEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] PaymentEventKind Kind,
    [property: Id(2)] string PaymentIntentId,
    [property: Id(3)] long AmountCents,
    [property: Id(4)] string Currency,
    [property: Id(5)] string? ChargeId = null,
    [property: Id(6)] long RefundedCents = 0,
    [property: Id(7)] string? Detail = null,
    [property: Id(8)] string? Origin = null);
