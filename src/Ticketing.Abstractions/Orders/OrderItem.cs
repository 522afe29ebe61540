namespace Ticketing.Abstractions.Orders;

/// <summary>One tier's line of an order, priced when the order was placed.</summary>
/// <param name="TierId">The tier.</param>
/// <param name="HoldId">The buyer's hold the tickets come from (none once the order let go of it).</param>
/// <param name="Quantity">How many tickets.</param>
/// <param name="UnitPriceCents">The tier's price when the order was placed, in minor units.</param>
[GenerateSerializer, Immutable]
public sealed record OrderItem(
    [property: Id(0)] Guid TierId,
    [property: Id(1)] Guid? HoldId,
    [property: Id(2)] int Quantity,
    [property: Id(3)] long UnitPriceCents);
