namespace Ticketing.Grains.Payments;

/// <summary>
/// The mark this deployment puts on every payment intent it creates
/// (<c>metadata[ticketing_service]</c>, its Orleans service id), so that a
/// payment it did not make, by another system on the same Stripe account, is
/// never taken for one of its own orders and refunded.
/// </summary>
public sealed record PaymentsOrigin(string ServiceId)
{
    public const string MetadataKey = "ticketing_service";
}
