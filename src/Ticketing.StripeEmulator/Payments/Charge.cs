using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>Stripe's charge: one attempt to take a payment intent's amount from a card, and the refunds against it.</summary>
public sealed record Charge
{
    public required string Id { get; init; }

    public string Object => "charge";

    public required long Amount { get; init; }

    public required long AmountCaptured { get; init; }

    public long AmountRefunded { get; init; }

    public string? BalanceTransaction => null;

    public required bool Captured { get; init; }

    public required long Created { get; init; }

    public required string Currency { get; init; }

    public string? Description { get; init; }

    public bool Disputed { get; init; }

    public string? FailureCode { get; init; }

    public string? FailureMessage { get; init; }

    public bool Livemode => false;

    /// <summary>A copy of the payment intent's metadata, as Stripe makes.</summary>
    public required IReadOnlyDictionary<string, string> Metadata { get; init; }

    public required ChargeOutcome Outcome { get; init; }

    public required bool Paid { get; init; }

    public required string PaymentIntent { get; init; }

    public required string PaymentMethod { get; init; }

    public bool Refunded { get; init; }

    /// <summary>Newest first.</summary>
    public required StripeList<Refund> Refunds { get; init; }

    public required string Status { get; init; }

    public static Charge Attempt(PaymentIntent intent, string paymentMethod, CardOutcome card, long now)
    {
        var id = StripeIds.New("ch");
        return new Charge
        {
            Id = id,
            Amount = intent.Amount,
            AmountCaptured = card.IsApproved ? intent.Amount : 0,
            Captured = card.IsApproved,
            Created = now,
            Currency = intent.Currency,
            Description = intent.Description,
            FailureCode = card.ErrorCode,
            FailureMessage = card.Message,
            Metadata = intent.Metadata,
            Outcome = ChargeOutcome.Of(card),
            Paid = card.IsApproved,
            PaymentIntent = intent.Id,
            PaymentMethod = paymentMethod,
            Refunds = new StripeList<Refund>([], HasMore: false, $"/v1/charges/{id}/refunds"),
            Status = card.IsApproved ? "succeeded" : "failed",
        };
    }

    /// <summary>How much a refund takes: the amount asked, or all that is left.</summary>
    /// <param name="requested">The amount asked for, null for the rest.</param>
    /// <param name="dispute">The charge's dispute, if any: no refunds while it is open or after it is lost.</param>
    public long AmountToRefund(long? requested, Dispute? dispute)
    {
        if (Status != "succeeded")
        {
            throw StripeApiException.InvalidRequest("charge_not_refundable", $"Charge {Id} has not succeeded; there is nothing to refund.");
        }

        if (dispute is { Status: not DisputeStatus.Won })
        {
            throw StripeApiException.InvalidRequest("charge_disputed", $"Charge {Id} has been charged back; cannot issue a refund.");
        }

        var left = AmountCaptured - AmountRefunded;
        if (left == 0)
        {
            throw StripeApiException.InvalidRequest("charge_already_refunded", $"Charge {Id} has already been refunded.");
        }

        if (requested is { } amount && amount > left)
        {
            throw StripeApiException.InvalidRequest(
                "amount_too_large", $"Refund amount ({amount}) is greater than unrefunded amount on charge ({left}).", "amount");
        }

        return requested ?? left;
    }

    public Charge WithRefund(Refund refund) => this with
    {
        AmountRefunded = AmountRefunded + refund.Amount,
        Refunded = AmountRefunded + refund.Amount == AmountCaptured,
        Refunds = Refunds.Prepend(refund),
    };

    public Charge WithDispute() => this with { Disputed = true };
}
