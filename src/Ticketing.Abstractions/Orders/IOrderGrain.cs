using Orleans.Concurrency;

namespace Ticketing.Abstractions.Orders;

/// <summary>
/// One order: its state machine and the saga that turns a payment into
/// tickets (and a refund into ended tickets). Every step is idempotent and
/// resumes from durable state after a crash.
/// </summary>
public interface IOrderGrain : IGrainWithGuidKey
{
    /// <summary>Creates the order from the buyer's holds and its Stripe payment intent.</summary>
    Task<OrderResult> Place(PlaceOrder command);

    /// <summary>The order, or <see cref="OrderOutcome.NotFound"/>.</summary>
    Task<OrderResult> Get();

    /// <summary>
    /// The order once its status is none of <paramref name="statuses"/>, or as
    /// it is after <paramref name="timeout"/>: a buyer's page waits for its
    /// tickets with one call instead of polling. Interleaves with every other
    /// call, so waiting never holds up the order's own work.
    /// </summary>
    [AlwaysInterleave]
    Task<OrderResult> WaitWhile(IReadOnlySet<OrderStatus> statuses, TimeSpan timeout);

    /// <summary>Cancels an unpaid order (and its payment intent) for its buyer.</summary>
    Task<OrderResult> Cancel(string userId);

    /// <summary>
    /// Asks Stripe to refund the order's tickets (all of them, or those named)
    /// for the organization that owns the order's event; the refund lands by
    /// webhook. For any other organization the order answers as if it did not
    /// exist and changes nothing.
    /// </summary>
    Task<OrderResult> Refund(IReadOnlyList<Guid>? ticketIds, string organizationId);

    /// <summary>Applies one fact from Stripe; applying the same fact again changes nothing.</summary>
    Task Apply(PaymentEvent paymentEvent);

    /// <summary>Carries on whatever the order still owes (issuance, a refund, expiry).</summary>
    Task Resume();
}
