namespace Ticketing.StripeEmulator.Wire;

/// <summary>The little of a payment method that an error names: test tokens are cards.</summary>
public sealed record PaymentMethodReference(string Id)
{
    public string Object => "payment_method";

    public string Type => "card";
}
