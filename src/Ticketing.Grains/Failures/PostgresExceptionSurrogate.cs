namespace Ticketing.Grains.Failures;

/// <summary>What a <see cref="Npgsql.PostgresException"/> keeps on its way to another silo.</summary>
[GenerateSerializer, Immutable]
public readonly record struct PostgresExceptionSurrogate(
    [property: Id(0)] string SqlState,
    [property: Id(1)] string MessageText,
    [property: Id(2)] string Severity,
    [property: Id(3)] string InvariantSeverity,
    [property: Id(4)] string? Detail,
    [property: Id(5)] string? ConstraintName);
