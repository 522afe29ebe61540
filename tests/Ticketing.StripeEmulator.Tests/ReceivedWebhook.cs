using Stripe;

namespace Ticketing.StripeEmulator.Tests;

/// <summary>A delivery the receiver accepted: the verified event, and the raw body and signature it came with.</summary>
public sealed record ReceivedWebhook(Event Event, string Body, string Signature)
{
    public string? ObjectId => (Event.Data.Object as IHasId)?.Id;
}
