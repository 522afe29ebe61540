using Ticketing.Abstractions.Tiers;

namespace Ticketing.Domain.Tiers;

/// <summary>A live hold ended (released, expired or consumed by an order).</summary>
public sealed record HoldEnded(Guid HoldId, HoldStatus Status, DateTimeOffset At, DateTimeOffset ExpiresAt, Guid? OrderId) : TierChange;
