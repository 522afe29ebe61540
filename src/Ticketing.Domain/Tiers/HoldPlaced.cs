using Ticketing.Abstractions.Tiers;

namespace Ticketing.Domain.Tiers;

/// <summary>A new hold.</summary>
public sealed record HoldPlaced(HoldInfo Hold) : TierChange;
