using System.Globalization;
using Ticketing.StripeEmulator.Payments;

namespace Ticketing.StripeEmulator.Checkout;

/// <summary>
/// What the buyer typed into the hosted page's card form, checked as a card
/// field checks before anything is sent: a known test card number, an expiry
/// date not past, and a CVC of three or four digits.
/// </summary>
public sealed record CardEntry(string Number, string Expiry, string Cvc)
{
    public const string NumberField = "cardNumber";
    public const string ExpiryField = "expiry";
    public const string CvcField = "cvc";

    public static CardEntry Empty { get; } = new("", "", "");

    public static CardEntry From(IFormCollection form) =>
        new(form[NumberField].ToString().Trim(), form[ExpiryField].ToString().Trim(), form[CvcField].ToString().Trim());

    /// <summary>The test payment method to confirm with, or null and what is wrong, by field.</summary>
    public string? PaymentMethod(DateTimeOffset now, out IReadOnlyDictionary<string, string> errors)
    {
        var problems = new Dictionary<string, string>();
        var digits = new string([.. Number.Where(c => c is not (' ' or '-'))]);
        var paymentMethod = TestCards.PaymentMethodForNumber(digits);
        if (digits.Length == 0)
        {
            problems[NumberField] = "Enter a card number.";
        }
        else if (paymentMethod is null)
        {
            var known = string.Join(" or ", TestCards.Numbers.Select(card => card.Printed));
            problems[NumberField] = $"The emulator has no test card with this number. Use {known}.";
        }

        if (ExpiryProblem(now) is { } expiry)
        {
            problems[ExpiryField] = expiry;
        }

        if (Cvc.Length is not (3 or 4) || !Cvc.All(char.IsAsciiDigit))
        {
            problems[CvcField] = "Enter the card's security code: three or four digits.";
        }

        errors = problems;
        return problems.Count == 0 ? paymentMethod : null;
    }

    private string? ExpiryProblem(DateTimeOffset now)
    {
        var parts = Expiry.Split('/', StringSplitOptions.TrimEntries);
        if (parts is not [var month, var year]
            || month.Length is not (1 or 2) || year.Length != 2
            || !int.TryParse(month, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m is < 1 or > 12
            || !int.TryParse(year, NumberStyles.None, CultureInfo.InvariantCulture, out var y))
        {
            return "Enter the expiry date as MM / YY, for example 12 / 34.";
        }

        // A card is good until the end of its expiry month.
        return (2000 + y) * 12 + m < now.Year * 12 + now.Month ? "This card has expired: use a date in the future." : null;
    }
}
