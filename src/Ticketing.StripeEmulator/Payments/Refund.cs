using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>Stripe's refund. Card refunds succeed at once here.</summary>
public sealed record Refund
{
    public required string Id { get; init; }

    public string Object => "refund";

    public required long Amount { get; init; }

    public string? BalanceTransaction => null;

    public required string Charge { get; init; }

    public required long Created { get; init; }

    public required string Currency { get; init; }

    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public required string PaymentIntent { get; init; }

    public string? Reason { get; init; }

    public string Status => "succeeded";

    public static Refund Of(Charge charge, long amount, RefundCreation creation, long now) => new()
    {
        Id = StripeIds.New("re"),
        Amount = amount,
        Charge = charge.Id,
        Created = now,
        Currency = charge.Currency,
        Metadata = creation.Metadata,
        PaymentIntent = charge.PaymentIntent,
        Reason = creation.Reason,
    };
}
