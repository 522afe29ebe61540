namespace Ticketing.Abstractions.Orders;

/// <summary>A buyer's request to pay for their holds.</summary>
/// <param name="UserId">The buyer.</param>
/// <param name="HoldIds">The buyer's live holds, all of one event, at most one per tier.</param>
/// <param name="Contact">Who to reach about the order.</param>
[GenerateSerializer, Immutable]
public sealed record PlaceOrder(
    [property: Id(0)] string UserId,
    [property: Id(1)] IReadOnlyList<Guid> HoldIds,
    [property: Id(2)] OrderContact Contact);
