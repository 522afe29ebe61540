namespace Ticketing.StripeEmulator.Control;

/// <summary>Body of <c>POST /_emulator/disputes/{id}/close</c>: <c>won</c> or <c>lost</c>.</summary>
public sealed record CloseDisputeRequest(string? Status);
