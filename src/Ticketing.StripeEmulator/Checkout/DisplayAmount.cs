using System.Globalization;

namespace Ticketing.StripeEmulator.Checkout;

/// <summary>An amount in minor units as a buyer reads it: <c>2500</c> <c>eur</c> is "25.00 EUR".</summary>
public static class DisplayAmount
{
    // Stripe's zero-decimal and three-decimal currencies: their amounts are not hundredths.
    private static readonly HashSet<string> ZeroDecimal =
        ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

    private static readonly HashSet<string> ThreeDecimal = ["bhd", "jod", "kwd", "omr", "tnd"];

    public static string Of(long amount, string currency)
    {
        var digits = ZeroDecimal.Contains(currency) ? 0 : ThreeDecimal.Contains(currency) ? 3 : 2;
        var major = amount / (decimal)Math.Pow(10, digits);
        return $"{major.ToString("N" + digits, CultureInfo.InvariantCulture)} {currency.ToUpperInvariant()}";
    }
}
