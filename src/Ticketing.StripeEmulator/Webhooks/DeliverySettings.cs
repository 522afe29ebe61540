using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Webhooks;

/// <summary>
/// Test controls for webhook delivery (not Stripe's). Posted whole: a field left
/// out takes its default.
/// </summary>
/// <param name="Duplicate">Send each event this many extra times, each copy a delivery of its own.</param>
/// <param name="DelayMs">Wait this long before every attempt.</param>
/// <param name="Reorder">Hold deliveries and release each held batch newest first (on flush).</param>
/// <param name="Paused">Hold deliveries until unpaused or flushed.</param>
public sealed record DeliverySettings(int Duplicate = 0, int DelayMs = 0, bool Reorder = false, bool Paused = false)
{
    public static DeliverySettings Normal { get; } = new();

    public bool HoldsDeliveries => Reorder || Paused;

    public DeliverySettings Validated() => Duplicate < 0 || DelayMs < 0
        ? throw StripeApiException.ParameterInvalid(Duplicate < 0 ? "duplicate" : "delayMs", "Must be zero or more.")
        : this;
}
