namespace Ticketing.Domain.Tiers;

/// <summary>An issued or ended ticket as the tier grain knows it.</summary>
public sealed record TierTicket(Guid Id, Guid OrderId, int SequenceNumber, bool Live);
