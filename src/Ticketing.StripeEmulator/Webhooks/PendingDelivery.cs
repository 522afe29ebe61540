using Ticketing.StripeEmulator.Events;

namespace Ticketing.StripeEmulator.Webhooks;

/// <summary>One delivery of an event (a duplicate or a resend is another delivery) and which attempt comes next.</summary>
public sealed record PendingDelivery(string DeliveryId, StripeEvent Event, int Attempt);
