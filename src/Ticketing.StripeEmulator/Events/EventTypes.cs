namespace Ticketing.StripeEmulator.Events;

/// <summary>The event types the emulator emits.</summary>
public static class EventTypes
{
    public const string PaymentIntentCreated = "payment_intent.created";
    public const string PaymentIntentSucceeded = "payment_intent.succeeded";
    public const string PaymentIntentPaymentFailed = "payment_intent.payment_failed";
    public const string PaymentIntentCanceled = "payment_intent.canceled";
    public const string ChargeSucceeded = "charge.succeeded";
    public const string ChargeFailed = "charge.failed";
    public const string ChargeRefunded = "charge.refunded";
    public const string RefundCreated = "refund.created";
    public const string DisputeCreated = "charge.dispute.created";
    public const string DisputeClosed = "charge.dispute.closed";
}
