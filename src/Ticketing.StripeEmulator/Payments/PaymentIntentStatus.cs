namespace Ticketing.StripeEmulator.Payments;

/// <summary>The payment intent statuses the emulator uses (no manual capture, no 3-D Secure).</summary>
public static class PaymentIntentStatus
{
    public const string RequiresPaymentMethod = "requires_payment_method";
    public const string RequiresConfirmation = "requires_confirmation";
    public const string RequiresAction = "requires_action";
    public const string Succeeded = "succeeded";
    public const string Canceled = "canceled";
}
