using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>What charging a test card does: approved, or declined with Stripe's codes and message.</summary>
public sealed record CardOutcome(string? ErrorCode, string? DeclineCode, string? Message, bool OpensDispute = false)
{
    public static CardOutcome Approved { get; } = new(null, null, null);

    public bool IsApproved => ErrorCode is null;

    public StripeError DeclineError(Charge charge) => new()
    {
        Type = StripeError.CardError,
        Code = ErrorCode,
        DeclineCode = DeclineCode,
        Message = Message ?? "Your card was declined.",
        Charge = charge.Id,
        PaymentMethod = new PaymentMethodReference(charge.PaymentMethod),
        DocUrl = $"https://stripe.com/docs/error-codes/{ErrorCode?.Replace('_', '-')}",
    };
}
