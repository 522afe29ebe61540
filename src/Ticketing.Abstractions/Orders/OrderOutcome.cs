namespace Ticketing.Abstractions.Orders;

/// <summary>How a request to an order ended.</summary>
public enum OrderOutcome
{
    /// <summary>Done, and durable.</summary>
    Done,

    /// <summary>No such order (or not the caller's).</summary>
    NotFound,

    /// <summary>A hold is unknown, not the buyer's, or no longer live.</summary>
    HoldNotFound,

    /// <summary>A hold already belongs to another order.</summary>
    HoldInOrder,

    /// <summary>The request breaks a rule (holds of two events, unknown tickets...).</summary>
    Invalid,

    /// <summary>The order is not in a state that allows it (cancel after payment...).</summary>
    WrongState,

    /// <summary>Stripe could not be reached or failed; nothing was kept, and trying again may work.</summary>
    PaymentProviderFailed,

    /// <summary>Stripe refused the request itself (an amount below its minimum...); nothing was kept, and asking again is refused again.</summary>
    PaymentRefused,
}
