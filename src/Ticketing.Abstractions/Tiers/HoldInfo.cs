namespace Ticketing.Abstractions.Tiers;

/// <summary>A buyer's hold on some tickets of one tier.</summary>
/// <param name="Id">The hold id.</param>
/// <param name="TierId">The tier it holds tickets of.</param>
/// <param name="UserId">The buyer.</param>
/// <param name="Quantity">How many tickets.</param>
/// <param name="ExpiresAt">When it stops counting against capacity.</param>
/// <param name="Status">Where it is in its life.</param>
[GenerateSerializer, Immutable]
public sealed record HoldInfo(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid TierId,
    [property: Id(2)] string UserId,
    [property: Id(3)] int Quantity,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] HoldStatus Status);
