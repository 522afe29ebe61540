using Ticketing.StripeEmulator.Checkout;

namespace Ticketing.StripeEmulator.Tests;

public sealed class CardEntryTests
{
    private static readonly DateTimeOffset Now = new(2030, 6, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("4242 4242 4242 4242", "pm_card_visa")]
    [InlineData("4242424242424242", "pm_card_visa")]
    [InlineData("4242-4242-4242-4242", "pm_card_visa")]
    [InlineData("4000 0000 0000 0002", "pm_card_chargeDeclined")]
    public void PaymentMethod_OfATestCardNumber_IsItsTestPaymentMethod(string number, string paymentMethod)
    {
        Assert.Equal(paymentMethod, new CardEntry(number, "06/30", "123").PaymentMethod(Now, out var errors));
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("06 / 30", true)]
    [InlineData("6/30", true)]
    [InlineData("12/99", true)]
    [InlineData("05 / 30", false)]
    [InlineData("12 / 29", false)]
    [InlineData("00 / 31", false)]
    [InlineData("06 / 2030", false)]
    [InlineData("0630", false)]
    public void Expiry_IsGoodUntilTheEndOfItsMonth(string expiry, bool accepted)
    {
        var paymentMethod = new CardEntry("4242424242424242", expiry, "1234").PaymentMethod(Now, out var errors);

        Assert.Equal(accepted, paymentMethod is not null);
        Assert.Equal(accepted, !errors.ContainsKey(CardEntry.ExpiryField));
    }

    [Fact]
    public void EveryFieldWrong_NamesEveryField()
    {
        Assert.Null(new CardEntry("1234", "", "").PaymentMethod(Now, out var errors));

        Assert.Equal(
            new[] { CardEntry.CvcField, CardEntry.NumberField, CardEntry.ExpiryField }.Order(StringComparer.Ordinal),
            errors.Keys.Order(StringComparer.Ordinal));
    }
}
