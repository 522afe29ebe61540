namespace Ticketing.StripeEmulator.Hosting;

/// <summary>The <c>StripeEmulator</c> configuration section.</summary>
public sealed class EmulatorOptions
{
    public const string Section = "StripeEmulator";

    /// <summary>
    /// Stripe retries for days with exponential backoff; locally ten attempts
    /// (the first and nine retries, about eight and a half minutes) are enough.
    /// </summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultRetryDelays =
        [.. Enumerable.Range(0, 9).Select(step => TimeSpan.FromSeconds(1 << step))];

    /// <summary>Where events are POSTed; no deliveries when unset (events are still listed).</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>The endpoint's signing secret, <c>whsec_...</c>.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>
    /// The event types sent to the webhook URL, as a Stripe webhook endpoint's
    /// <c>enabled_events</c>: empty or <c>*</c> sends every type. Every event is
    /// listed by <c>GET /v1/events</c> all the same.
    /// </summary>
    public string[] EnabledEvents { get; set; } = [];

    /// <summary>Waits before each retry; its length + 1 is the number of attempts.</summary>
    public TimeSpan[]? RetryDelays { get; set; }

    /// <summary>
    /// How many attempts may be in flight at once. 1 (the default) sends them one
    /// at a time in queue order, which keeps tests deterministic; raise it when
    /// driving load through the emulator.
    /// </summary>
    public int DeliveryConcurrency { get; set; } = 1;

    /// <summary>How long one delivery attempt may take before it counts as failed.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<TimeSpan> EffectiveRetryDelays => RetryDelays ?? DefaultRetryDelays;

    /// <summary>Whether events of <paramref name="type"/> go to the webhook URL.</summary>
    public bool Sends(string type) => EnabledEvents.Length == 0 || EnabledEvents.Any(enabled => enabled == "*" || enabled == type);
}
