namespace Ticketing.Domain.Tiers;

/// <summary>The organiser changed the capacity.</summary>
public sealed record CapacityChanged(int From, int To) : TierChange;
