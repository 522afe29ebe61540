using Npgsql;

namespace Ticketing.Grains.Failures;

/// <summary>Carries a broken or refused connection to the calling silo, as <see cref="PostgresExceptionConverter"/> does PostgreSQL's errors.</summary>
[RegisterConverter]
public sealed class NpgsqlExceptionConverter : IConverter<NpgsqlException, NpgsqlExceptionSurrogate>
{
    public NpgsqlException ConvertFromSurrogate(in NpgsqlExceptionSurrogate surrogate) => new(surrogate.Message, surrogate.Cause);

    public NpgsqlExceptionSurrogate ConvertToSurrogate(in NpgsqlException value) => new(value.Message, value.InnerException);
}
