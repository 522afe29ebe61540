namespace Ticketing.Persistence.Orders;

/// <summary>The order row moved on since this activation read it: another activation wrote it.</summary>
public sealed class OrderVersionConflictException(Guid orderId, long expected, Exception inner)
    : Exception($"Order {orderId} is no longer at version {expected}: another activation wrote it.", inner);
