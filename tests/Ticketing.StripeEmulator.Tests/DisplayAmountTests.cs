using Ticketing.StripeEmulator.Checkout;

namespace Ticketing.StripeEmulator.Tests;

public sealed class DisplayAmountTests
{
    [Theory]
    [InlineData(2500, "eur", "25.00 EUR")]
    [InlineData(123450, "usd", "1,234.50 USD")]
    [InlineData(50, "gbp", "0.50 GBP")]
    [InlineData(1500, "jpy", "1,500 JPY")]
    [InlineData(12345, "kwd", "12.345 KWD")]
    public void Of_MinorUnits_IsTheAmountAsABuyerReadsIt(long amount, string currency, string shown) =>
        Assert.Equal(shown, DisplayAmount.Of(amount, currency));
}
