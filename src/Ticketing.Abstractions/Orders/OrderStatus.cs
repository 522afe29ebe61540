namespace Ticketing.Abstractions.Orders;

/// <summary>Where an order stands. The API writes these in snake_case.</summary>
public enum OrderStatus
{
    /// <summary>Created, the buyer has not paid yet.</summary>
    AwaitingPayment,

    /// <summary>The money is in and the tickets are being issued.</summary>
    Paid,

    /// <summary>Paid, and every ticket issued.</summary>
    Fulfilled,

    /// <summary>The last payment attempt failed; the buyer may try again until the order expires.</summary>
    PaymentFailed,

    /// <summary>Cancelled before payment.</summary>
    Cancelled,

    /// <summary>Not paid in time.</summary>
    Expired,

    /// <summary>All the money went back; no ticket is valid.</summary>
    Refunded,

    /// <summary>Some tickets were refunded, the others remain valid.</summary>
    PartiallyRefunded,

    /// <summary>The buyer's bank disputes the payment.</summary>
    Disputed,

    /// <summary>The money came in after the capacity was gone: refunded automatically.</summary>
    Unfulfillable,
}
