using Npgsql;

namespace Ticketing.Grains.Failures;

/// <summary>
/// Carries a PostgreSQL error from the silo where a grain met it to the silo
/// that called the grain. Orleans serializes only exceptions it knows; for
/// others the caller got a CodecNotFoundException instead, which no longer
/// said the database was restarting (<see cref="TransientFailure"/>).
/// </summary>
[RegisterConverter]
public sealed class PostgresExceptionConverter : IConverter<PostgresException, PostgresExceptionSurrogate>
{
    public PostgresException ConvertFromSurrogate(in PostgresExceptionSurrogate surrogate) => new(
        surrogate.MessageText, surrogate.Severity, surrogate.InvariantSeverity, surrogate.SqlState,
        detail: surrogate.Detail, constraintName: surrogate.ConstraintName);

    public PostgresExceptionSurrogate ConvertToSurrogate(in PostgresException value) => new(
        value.SqlState, value.MessageText, value.Severity, value.InvariantSeverity, value.Detail, value.ConstraintName);
}
