using Ticketing.Abstractions.Orders;

namespace Ticketing.Grains.Orders;

/// <summary>A move the order's state machine does not allow.</summary>
public sealed class OrderTransitionException(OrderStatus from, OrderStatus to)
    : InvalidOperationException($"An order cannot go from {from.Name()} to {to.Name()}.")
{
    public OrderStatus From { get; } = from;

    public OrderStatus To { get; } = to;
}
