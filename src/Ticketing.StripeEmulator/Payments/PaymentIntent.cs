using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>
/// Stripe's payment intent. Automatic capture only: confirming with a card that
/// is approved ends in <c>succeeded</c>; a declined card sends it back to
/// <c>requires_payment_method</c>, from where it may be confirmed again.
/// </summary>
public sealed record PaymentIntent
{
    public required string Id { get; init; }

    public string Object => "payment_intent";

    public required long Amount { get; init; }

    public long AmountCapturable => 0;

    public long AmountReceived { get; init; }

    public long? CanceledAt { get; init; }

    public string? CancellationReason { get; init; }

    public string CaptureMethod => "automatic";

    public required string ClientSecret { get; init; }

    public string ConfirmationMethod => "automatic";

    public required long Created { get; init; }

    public required string Currency { get; init; }

    public string? Description { get; init; }

    public StripeError? LastPaymentError { get; init; }

    public string? LatestCharge { get; init; }

    public bool Livemode => false;

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public string? PaymentMethod { get; init; }

    public IReadOnlyList<string> PaymentMethodTypes => ["card"];

    public required string Status { get; init; }

    public static PaymentIntent Create(PaymentIntentCreation creation, long now)
    {
        var id = StripeIds.New("pi");
        return new PaymentIntent
        {
            Id = id,
            Amount = creation.Amount,
            ClientSecret = $"{id}_secret_{StripeIds.Random(25)}",
            Created = now,
            Currency = creation.Currency,
            Description = creation.Description,
            Metadata = creation.Metadata,
            PaymentMethod = creation.PaymentMethod,
            Status = creation.PaymentMethod is null ? PaymentIntentStatus.RequiresPaymentMethod : PaymentIntentStatus.RequiresConfirmation,
        };
    }

    /// <summary>The payment method a confirmation charges: the one given, else the one attached.</summary>
    public string PaymentMethodToConfirm(string? given)
    {
        if (Status == PaymentIntentStatus.Succeeded)
        {
            throw UnexpectedState("You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.");
        }

        if (Status is not (PaymentIntentStatus.RequiresPaymentMethod or PaymentIntentStatus.RequiresConfirmation or PaymentIntentStatus.RequiresAction))
        {
            throw UnexpectedState(
                $"You cannot confirm this PaymentIntent because it has a status of {Status}. Only a PaymentIntent with one of the "
                + "following statuses may be confirmed: requires_confirmation, requires_action, requires_payment_method.");
        }

        return given ?? PaymentMethod ?? throw UnexpectedState(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            + "Update the PaymentIntent with a payment method and then confirm it again.");
    }

    public PaymentIntent Succeeded(Charge charge) => this with
    {
        Status = PaymentIntentStatus.Succeeded,
        AmountReceived = charge.AmountCaptured,
        LatestCharge = charge.Id,
        PaymentMethod = charge.PaymentMethod,
        LastPaymentError = null,
    };

    /// <summary>Stripe detaches a declined payment method: it is only named in the error.</summary>
    public PaymentIntent Failed(Charge charge, StripeError error) => this with
    {
        Status = PaymentIntentStatus.RequiresPaymentMethod,
        LatestCharge = charge.Id,
        PaymentMethod = null,
        LastPaymentError = error,
    };

    public PaymentIntent Canceled(string? reason, long now)
    {
        if (Status is PaymentIntentStatus.Succeeded or PaymentIntentStatus.Canceled)
        {
            throw UnexpectedState(
                $"You cannot cancel this PaymentIntent because it has a status of {Status}. Only a PaymentIntent with one of the "
                + "following statuses may be canceled: requires_payment_method, requires_capture, requires_confirmation, requires_action, processing.");
        }

        return this with { Status = PaymentIntentStatus.Canceled, CancellationReason = reason, CanceledAt = now };
    }

    private StripeApiException UnexpectedState(string message) => new(
        StatusCodes.Status400BadRequest,
        new StripeError
        {
            Type = StripeError.InvalidRequest,
            Code = "payment_intent_unexpected_state",
            Message = message,
            PaymentIntent = this,
            DocUrl = "https://stripe.com/docs/error-codes/payment-intent-unexpected-state",
        });
}
