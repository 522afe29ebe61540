namespace Ticketing.Abstractions.OnSales;

/// <summary>What a queue shard answers its coordinator: the next places in admission order, and its counts.</summary>
/// <param name="Next">The shard's first places not admitted yet, in admission order.</param>
/// <param name="Waiting">Its places not admitted yet.</param>
/// <param name="Admitted">Its places admitted.</param>
[GenerateSerializer, Immutable]
public sealed record ShardProgress(
    [property: Id(0)] IReadOnlyList<QueueKey> Next,
    [property: Id(1)] long Waiting,
    [property: Id(2)] long Admitted);
