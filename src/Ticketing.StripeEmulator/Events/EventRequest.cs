namespace Ticketing.StripeEmulator.Events;

/// <summary>The API request behind an event; both null for events the emulator's controls cause.</summary>
public sealed record EventRequest(string? Id, string? IdempotencyKey)
{
    public static EventRequest None { get; } = new(null, null);
}
