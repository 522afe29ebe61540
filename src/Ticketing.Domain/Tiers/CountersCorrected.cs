namespace Ticketing.Domain.Tiers;

/// <summary>The stored counters disagreed with the holds and tickets; the derived ones are written.</summary>
public sealed record CountersCorrected(int StoredReserved, int StoredIssued, int Reserved, int Issued) : TierChange;
