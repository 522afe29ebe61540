namespace Ticketing.StripeEmulator.Webhooks;

/// <summary>One POST of an event to the webhook endpoint and what came of it.</summary>
/// <param name="DeliveryId">The delivery this attempt belongs to (each duplicate or resend is a delivery).</param>
/// <param name="EventId">The event sent.</param>
/// <param name="EventType">Its type.</param>
/// <param name="Attempt">1 for the first try, 2 for the first retry, and so on.</param>
/// <param name="StatusCode">The endpoint's answer; null when none came (connection refused, timeout).</param>
/// <param name="Error">Why no answer came.</param>
/// <param name="At">When the attempt ended.</param>
public sealed record DeliveryAttempt(
    string DeliveryId, string EventId, string EventType, int Attempt, int? StatusCode, string? Error, DateTimeOffset At)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
