using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>Stripe's dispute (chargeback) of a charge, opened and closed through the emulator's controls.</summary>
public sealed record Dispute
{
    public required string Id { get; init; }

    public string Object => "dispute";

    public required long Amount { get; init; }

    public required string Charge { get; init; }

    public required long Created { get; init; }

    public required string Currency { get; init; }

    public bool IsChargeRefundable => false;

    public bool Livemode => false;

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public required string PaymentIntent { get; init; }

    public required string Reason { get; init; }

    public required string Status { get; init; }

    public bool IsOpen => Status is not (DisputeStatus.Won or DisputeStatus.Lost);

    public static Dispute Open(Charge charge, string reason, long now)
    {
        if (charge.Status != "succeeded")
        {
            throw StripeApiException.InvalidRequest("charge_not_disputable", $"Charge {charge.Id} has not succeeded; there is nothing to dispute.");
        }

        if (charge.Disputed)
        {
            throw StripeApiException.InvalidRequest("charge_disputed", $"Charge {charge.Id} is already disputed.");
        }

        return new Dispute
        {
            Id = StripeIds.New("dp"),
            Amount = charge.AmountCaptured - charge.AmountRefunded,
            Charge = charge.Id,
            Created = now,
            Currency = charge.Currency,
            PaymentIntent = charge.PaymentIntent,
            Reason = reason,
            Status = DisputeStatus.NeedsResponse,
        };
    }

    public Dispute Closed(string outcome)
    {
        if (outcome is not (DisputeStatus.Won or DisputeStatus.Lost))
        {
            throw StripeApiException.ParameterInvalid("status", $"Invalid status: {outcome}; a dispute closes as won or lost.");
        }

        if (!IsOpen)
        {
            throw StripeApiException.InvalidRequest("dispute_already_closed", $"Dispute {Id} is already closed ({Status}).");
        }

        return this with { Status = outcome };
    }
}
