namespace Ticketing.Abstractions.Tiers;

/// <summary>A tier as buyers and organisers see it: price, capacity and live counters.</summary>
/// <param name="Id">The tier id.</param>
/// <param name="EventId">The event the tier belongs to.</param>
/// <param name="Name">Display name, such as "General admission".</param>
/// <param name="PriceCents">Unit price in minor units of <paramref name="Currency"/>.</param>
/// <param name="Currency">Lowercase ISO 4217 code.</param>
/// <param name="Capacity">Tickets the tier may ever sell.</param>
/// <param name="Reserved">Tickets held by live holds.</param>
/// <param name="Issued">Tickets issued and not returned.</param>
/// <param name="MaxPerOrder">The largest quantity one hold may take.</param>
[GenerateSerializer, Immutable]
public sealed record TierSnapshot(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid EventId,
    [property: Id(2)] string Name,
    [property: Id(3)] long PriceCents,
    [property: Id(4)] string Currency,
    [property: Id(5)] int Capacity,
    [property: Id(6)] int Reserved,
    [property: Id(7)] int Issued,
    [property: Id(8)] int MaxPerOrder)
{
    /// <summary>Tickets still for sale: capacity less reserved and issued.</summary>
    public int Available => Capacity - Reserved - Issued;
}
