using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>The parameters of <c>POST /v1/refunds</c>: what to refund (a charge or a payment intent's charge), how much, why.</summary>
public sealed record RefundCreation(string? Charge, string? PaymentIntent, long? Amount, IReadOnlyDictionary<string, string> Metadata, string? Reason)
{
    private static readonly string[] Reasons = ["duplicate", "fraudulent", "requested_by_customer"];

    public static RefundCreation From(FormParameters parameters)
    {
        var charge = parameters.String("charge");
        var paymentIntent = parameters.String("payment_intent");
        if (charge is null && paymentIntent is null)
        {
            throw StripeApiException.ParameterInvalid("charge", "One of the following params should be provided for this request: payment_intent or charge.", "parameter_missing");
        }

        var amount = parameters.Integer("amount");
        if (amount is < 1)
        {
            throw StripeApiException.ParameterInvalid("amount", "Invalid positive integer", "parameter_invalid_integer");
        }

        var reason = parameters.String("reason");
        if (reason is not null && !Reasons.Contains(reason))
        {
            throw StripeApiException.ParameterInvalid("reason", $"Invalid reason: must be one of {string.Join(", ", Reasons)}");
        }

        return new RefundCreation(charge, paymentIntent, amount, parameters.Hash("metadata"), reason);
    }
}
