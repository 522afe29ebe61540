namespace Ticketing.Domain.OnSales;

/// <summary>A place a queue shard decided to give, before it is written.</summary>
/// <param name="UserId">The buyer.</param>
/// <param name="Early">Taken before the shard heard of the opening.</param>
/// <param name="JoinedAt">When it was taken (to the second).</param>
public sealed record NewPlace(string UserId, bool Early, DateTimeOffset JoinedAt);
