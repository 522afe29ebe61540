using Ticketing.Abstractions.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>How an on-sale's waiting room is spread over its shard grains.</summary>
public static class QueueShards
{
    /// <summary>
    /// Shards per on-sale: joins and waits spread over this many grains (and
    /// silos), each writing its own batches.
    /// </summary>
    public const int Count = 8;

    /// <summary>The buyer's shard: the same one every time, on every silo.</summary>
    public static int Of(string userId) => (int)(PlaceId.Of(userId).Low % Count);

    /// <summary>The buyer's shard grain of <paramref name="onSale"/>.</summary>
    public static IQueueShardGrain ShardOf(this IGrainFactory grains, OnSaleRules onSale, string userId) =>
        grains.Reference<IQueueShardGrain>(onSale.Id, Of(userId));

    /// <summary>Every shard grain of the on-sale.</summary>
    public static IQueueShardGrain[] All(IGrainFactory grains, Guid onSaleId) =>
        [.. Enumerable.Range(0, Count).Select(shard => grains.Reference<IQueueShardGrain>(onSaleId, shard))];
}
