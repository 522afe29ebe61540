using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>The parameters of <c>POST /v1/payment_intents</c> the emulator models (<c>automatic_payment_methods</c> and the rest are ignored).</summary>
public sealed record PaymentIntentCreation(
    long Amount, string Currency, IReadOnlyDictionary<string, string> Metadata, string? Description, string? PaymentMethod, bool Confirm)
{
    public static PaymentIntentCreation From(FormParameters parameters)
    {
        var amount = parameters.RequiredInteger("amount");
        var currency = parameters.RequiredString("currency").ToLowerInvariant();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))
        {
            throw StripeApiException.ParameterInvalid("currency", $"Invalid currency: {currency}.");
        }

        if (amount < 1)
        {
            throw StripeApiException.ParameterInvalid("amount", "This value must be greater than or equal to 1.", "parameter_invalid_integer");
        }

        // Stripe refuses charges below about 50 US cents; GBP's floor is 30 pence.
        var minimum = currency == "gbp" ? 30 : 50;
        if (amount < minimum)
        {
            throw StripeApiException.ParameterInvalid("amount", $"Amount must be at least {minimum} {currency} (minor units).", "amount_too_small");
        }

        var confirm = parameters.Boolean("confirm") ?? false;
        var paymentMethod = parameters.String("payment_method");
        if (confirm && paymentMethod is null)
        {
            throw StripeApiException.ParameterInvalid(
                "payment_method", "A payment_method is required to create and confirm a PaymentIntent in one step.", "parameter_missing");
        }

        return new PaymentIntentCreation(
            amount, currency, parameters.Hash("metadata"), parameters.String("description"), paymentMethod, confirm);
    }
}
