namespace Ticketing.Abstractions.OnSales;

/// <summary>
/// The rules of an event's on-sale: holds on its tiers need an admission pass,
/// the waiting room admits from <paramref name="OpensAt"/> at
/// <paramref name="AdmitPerMinute"/>, and one buyer holds at most
/// <paramref name="MaxPerBuyer"/> of the event's tickets at once.
/// </summary>
/// <param name="Id">This on-sale; a new one after a removal starts a new queue, and passes of the old one stop working.</param>
/// <param name="EventId">The event whose tiers it guards.</param>
/// <param name="OpensAt">When admission starts; joiners before it are admitted in a random order.</param>
/// <param name="AdmitPerMinute">How many buyers the waiting room admits a minute.</param>
/// <param name="PassMinutes">How long an admission pass lasts.</param>
/// <param name="MaxPerBuyer">Tickets of the event one buyer may hold, owe or own at once; null for no cap beyond the tiers' limit per order.</param>
[GenerateSerializer, Immutable]
public sealed record OnSaleRules(
    [property: Id(0)] Guid Id,
    [property: Id(1)] Guid EventId,
    [property: Id(2)] DateTimeOffset OpensAt,
    [property: Id(3)] int AdmitPerMinute,
    [property: Id(4)] int PassMinutes,
    [property: Id(5)] int? MaxPerBuyer)
{
    /// <summary>A pass's lifetime when the organizer names none.</summary>
    public const int DefaultPassMinutes = 10;

    /// <summary>How long an admission pass lasts.</summary>
    public TimeSpan PassLifetime => TimeSpan.FromMinutes(PassMinutes);
}
