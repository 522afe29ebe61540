namespace Ticketing.Abstractions.OnSales;

/// <summary>How far a queue shard has admitted: what a silo's waiting polls need to know whether to look again.</summary>
/// <param name="Drawn">Whether the shard's line is drawn.</param>
/// <param name="Admitted">Its places admitted: the first this many of its line.</param>
/// <param name="Closed">The on-sale was removed: no place is answered any more.</param>
[GenerateSerializer, Immutable]
public sealed record ShardFrontier(
    [property: Id(0)] bool Drawn,
    [property: Id(1)] int Admitted,
    [property: Id(2)] bool Closed);
