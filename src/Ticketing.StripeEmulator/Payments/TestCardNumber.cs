namespace Ticketing.StripeEmulator.Payments;

/// <summary>A test card number a buyer types, the test payment method it stands for, and what it does.</summary>
public sealed record TestCardNumber(string Digits, string PaymentMethod, string Outcome)
{
    /// <summary>In groups of four, as printed on a card.</summary>
    public string Printed => string.Join(' ', Digits.Chunk(4).Select(group => new string(group)));
}
