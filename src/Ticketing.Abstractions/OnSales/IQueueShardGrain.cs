namespace Ticketing.Abstractions.OnSales;

/// <summary>
/// One shard of an on-sale's waiting room, keyed by the on-sale id and the
/// shard number (<c>"0"</c> to <c>"7"</c>); a buyer always lands on the same
/// shard. It writes its buyers' places, keeps them in memory, and answers
/// their looks from there; a silo's waiting polls follow its frontier.
/// </summary>
public interface IQueueShardGrain : IGrainWithGuidCompoundKey
{
    /// <summary>
    /// Takes a place for the buyer, or answers the place they already have.
    /// Answered once the place is durable; null when the on-sale was removed.
    /// </summary>
    Task<QueueTicket?> Join(OnSaleRules onSale, string userId);

    /// <summary>
    /// The buyer's place as it stands (once their own join under way is
    /// written); null when the buyer has no place, or the on-sale was removed.
    /// </summary>
    Task<PlaceLook?> Look(OnSaleRules onSale, string userId);

    /// <summary>How far it has admitted, without opening anything.</summary>
    Task<ShardFrontier> Frontier();

    /// <summary>The opening is durable: from now on places are late, and early places take their drawn ranks.</summary>
    Task Open();

    /// <summary>
    /// Its first <paramref name="count"/> places not admitted by step
    /// <paramref name="lastStep"/>, once every place written so far is durable.
    /// </summary>
    Task<ShardProgress> Next(OnSaleRules onSale, int lastStep, int count);

    /// <summary>Its counts, without opening anything.</summary>
    Task<ShardProgress> Counts();

    /// <summary>A durable admission step: its places are admitted.</summary>
    Task Admit(OnSaleRules onSale, AdmissionStep step);

    /// <summary>The on-sale was removed: no place is taken or answered any more.</summary>
    Task Close();
}
