namespace Ticketing.Persistence.Tiers;

/// <summary>The tier row moved on since this activation read it: another activation wrote it.</summary>
public sealed class TierVersionConflictException(Guid tierId, long expected, Exception inner)
    : Exception($"Tier {tierId} is no longer at version {expected}: another activation wrote it.", inner);
