namespace Ticketing.Grains.Failures;

/// <summary>What an <see cref="Npgsql.NpgsqlException"/> keeps on its way to another silo: its cause says whether it is transient.</summary>
[GenerateSerializer, Immutable]
public readonly record struct NpgsqlExceptionSurrogate(
    [property: Id(0)] string Message,
    [property: Id(1)] Exception? Cause);
