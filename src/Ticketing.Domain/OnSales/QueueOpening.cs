namespace Ticketing.Domain.OnSales;

/// <summary>
/// The opening of an on-sale's waiting room: the seed its early places are
/// drawn with, stored before it is used, so the draw can be replayed.
/// </summary>
/// <param name="OnSaleId">The on-sale.</param>
/// <param name="Seed">32 random bytes.</param>
/// <param name="OpenedAt">When admission started; the rate counts from here.</param>
public sealed record QueueOpening(Guid OnSaleId, byte[] Seed, DateTimeOffset OpenedAt);
