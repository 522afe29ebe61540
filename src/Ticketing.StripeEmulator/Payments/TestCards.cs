using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>Stripe's test payment method tokens the emulator knows; any other is "No such PaymentMethod".</summary>
public static class TestCards
{
    public const string Visa = "pm_card_visa";
    public const string Declined = "pm_card_chargeDeclined";

    private static readonly Dictionary<string, CardOutcome> Outcomes = new(StringComparer.Ordinal)
    {
        [Visa] = CardOutcome.Approved,
        ["pm_card_visa_debit"] = CardOutcome.Approved,
        ["pm_card_mastercard"] = CardOutcome.Approved,
        ["pm_card_amex"] = CardOutcome.Approved,
        ["pm_card_us"] = CardOutcome.Approved,
        [Declined] = new("card_declined", "generic_decline", "Your card was declined."),
        ["pm_card_chargeDeclinedInsufficientFunds"] = new("card_declined", "insufficient_funds", "Your card has insufficient funds."),
        ["pm_card_chargeDeclinedExpiredCard"] = new("expired_card", "expired_card", "Your card has expired."),
        ["pm_card_chargeDeclinedIncorrectCvc"] = new("incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."),
        // Succeeds, then the cardholder disputes it at once (charge.dispute.created).
        ["pm_card_createDispute"] = CardOutcome.Approved with { OpensDispute = true },
    };

    /// <summary>
    /// The card numbers the hosted payment page takes, each standing for the test
    /// payment method Stripe documents for it, with what paying with it does.
    /// </summary>
    public static readonly IReadOnlyList<TestCardNumber> Numbers =
    [
        new("4242424242424242", Visa, "Succeeds"),
        new("4000000000000002", Declined, "Is declined"),
    ];

    /// <summary>The test payment method for a card number (digits only), or null when the emulator knows no such card.</summary>
    public static string? PaymentMethodForNumber(string digits) =>
        Numbers.FirstOrDefault(card => card.Digits == digits)?.PaymentMethod;

    public static CardOutcome For(string paymentMethod) =>
        Outcomes.TryGetValue(paymentMethod, out var outcome)
            ? outcome
            : throw new StripeApiException(
                StatusCodes.Status400BadRequest,
                new StripeError
                {
                    Type = StripeError.InvalidRequest,
                    Code = "resource_missing",
                    Message = $"No such PaymentMethod: '{paymentMethod}'. The emulator knows: {string.Join(", ", Outcomes.Keys)}.",
                    Param = "payment_method",
                },
                isParameterError: true);
}
