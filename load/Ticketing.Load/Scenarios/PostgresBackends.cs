using Npgsql;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// The run's database's backends at one moment (<c>pg_stat_activity</c>):
/// how many are connected, how many run a statement, and what those wait on.
/// </summary>
public sealed record PostgresBackends(long Connected, long Active, long OnLocks, long OnInternalLocks, long OnIo, IReadOnlyList<string> Waits)
{
    /// <summary>One reading; null when the database could not be asked.</summary>
    public static async Task<PostgresBackends?> ReadAsync(NpgsqlDataSource database)
    {
        try
        {
            await using var command = database.CreateCommand(
                """
                SELECT count(*),
                       count(*) FILTER (WHERE state = 'active'),
                       count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock'),
                       count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'LWLock'),
                       count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'IO'),
                       coalesce(array_agg(wait_event_type || ':' || wait_event) FILTER (WHERE state = 'active' AND wait_event IS NOT NULL), '{}')
                FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                """);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            return new PostgresBackends(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetFieldValue<string[]>(5));
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    /// <summary>The wait events seen over the readings, most seen first, with how often.</summary>
    public static string WaitsSeen(IEnumerable<PostgresBackends> readings)
    {
        var seen = readings.SelectMany(reading => reading.Waits).CountBy(wait => wait).OrderByDescending(pair => pair.Value).Take(6).ToArray();
        return seen.Length == 0 ? "none" : string.Join(", ", seen.Select(pair => $"{pair.Key} {pair.Value}"));
    }
}
