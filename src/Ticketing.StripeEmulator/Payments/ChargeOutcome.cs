namespace Ticketing.StripeEmulator.Payments;

/// <summary>A charge's <c>outcome</c>: what the card network said.</summary>
public sealed record ChargeOutcome(string Type, string NetworkStatus, string? Reason, string SellerMessage)
{
    public string RiskLevel => "normal";

    public static ChargeOutcome Of(CardOutcome card) => card.IsApproved
        ? new("authorized", "approved_by_network", null, "Payment complete.")
        : new("issuer_declined", "declined_by_network", card.DeclineCode, "The bank did not return any further details with this decline.");
}
