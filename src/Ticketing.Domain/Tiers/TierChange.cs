namespace Ticketing.Domain.Tiers;

/// <summary>One change a tier grain made since its last write; a write applies a batch of them.</summary>
public abstract record TierChange;
