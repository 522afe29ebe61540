namespace Ticketing.Abstractions.OnSales;

/// <summary>A buyer's place as its shard answers a look, with where it stands in the shard's line.</summary>
/// <param name="Ticket">The place as it stands.</param>
/// <param name="Index">Its index in the shard's line: it is admitted once the shard has admitted more places than this.</param>
/// <param name="Drawn">Whether the line was drawn when looked at; the draw gives every early place a new index.</param>
[GenerateSerializer, Immutable]
public sealed record PlaceLook(
    [property: Id(0)] QueueTicket Ticket,
    [property: Id(1)] int Index,
    [property: Id(2)] bool Drawn);
