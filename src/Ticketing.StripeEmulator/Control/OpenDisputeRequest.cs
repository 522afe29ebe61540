namespace Ticketing.StripeEmulator.Control;

/// <summary>Body of <c>POST /_emulator/disputes</c>: the payment intent whose charge is disputed, and why (default <c>fraudulent</c>).</summary>
public sealed record OpenDisputeRequest(string? PaymentIntent, string? Reason);
