namespace Ticketing.StripeEmulator.Events;

/// <summary>An event's <c>data</c>: the whole object as it was right after the change.</summary>
public sealed record EventData(object Object);
