namespace Ticketing.Abstractions.OnSales;

/// <summary>A buyer's place in an event's waiting room, as it stands when answered.</summary>
/// <param name="EventId">The event on sale.</param>
/// <param name="Status">Waiting, admitted or expired.</param>
/// <param name="Position">While waiting, the buyers estimated to be admitted before this one, plus one (1 is next); null once admitted.</param>
/// <param name="JoinedAt">When the place was taken.</param>
/// <param name="EstimatedAdmissionAt">While waiting, when admission is expected at the on-sale's rate; once admitted, when it happened.</param>
/// <param name="Pass">The admission pass, once admitted.</param>
[GenerateSerializer, Immutable]
public sealed record QueueTicket(
    [property: Id(0)] Guid EventId,
    [property: Id(1)] QueueStatus Status,
    [property: Id(2)] long? Position,
    [property: Id(3)] DateTimeOffset JoinedAt,
    [property: Id(4)] DateTimeOffset EstimatedAdmissionAt,
    [property: Id(5)] AdmissionPass? Pass);
