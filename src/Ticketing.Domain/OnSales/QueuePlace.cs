namespace Ticketing.Domain.OnSales;

/// <summary>A buyer's place in an on-sale's waiting room, as stored.</summary>
/// <param name="UserId">The buyer.</param>
/// <param name="Arrival">Its number in the order places were written.</param>
/// <param name="Early">Taken before the opening: admitted in the drawn order, before every late place.</param>
/// <param name="JoinedAt">When it was taken (to the second).</param>
public sealed record QueuePlace(string UserId, long Arrival, bool Early, DateTimeOffset JoinedAt);
