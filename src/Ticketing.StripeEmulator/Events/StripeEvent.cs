namespace Ticketing.StripeEmulator.Events;

/// <summary>Stripe's event object, as listed by <c>/v1/events</c> and POSTed to the webhook endpoint.</summary>
public sealed record StripeEvent
{
    public required string Id { get; init; }

    public string Object => "event";

    /// <summary>The version Stripe.net pins, so <c>EventUtility.ConstructEvent</c> accepts the event.</summary>
    public string ApiVersion { get; init; } = Stripe.StripeConfiguration.ApiVersion;

    public required long Created { get; init; }

    public required EventData Data { get; init; }

    public bool Livemode => false;

    public required int PendingWebhooks { get; init; }

    public required EventRequest Request { get; init; }

    public required string Type { get; init; }
}
