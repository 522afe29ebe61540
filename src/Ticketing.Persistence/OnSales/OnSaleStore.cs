using Npgsql;
using Ticketing.Abstractions.OnSales;

namespace Ticketing.Persistence.OnSales;

/// <summary>Events' on-sales: one row an event, replaced in place while it lasts.</summary>
public sealed class OnSaleStore(NpgsqlDataSource database)
{
    private const string Columns = "id, event_id, opens_at, admit_per_minute, pass_minutes, max_per_buyer";

    public async Task<OnSaleRules?> FindAsync(Guid eventId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"SELECT {Columns} FROM ticketing.onsales WHERE event_id = @event_id");
        command.Parameters.AddWithValue("event_id", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// Sets the event's on-sale. An existing one keeps its id (its queue and
    /// passes carry on under the new settings); otherwise <paramref name="rules"/>'s
    /// id names the new one. Answers the stored rules.
    /// </summary>
    public async Task<OnSaleRules> SetAsync(OnSaleRules rules, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"""
            INSERT INTO ticketing.onsales (id, event_id, opens_at, admit_per_minute, pass_minutes, max_per_buyer)
            VALUES (@id, @event_id, @opens_at, @admit_per_minute, @pass_minutes, @max_per_buyer)
            ON CONFLICT (event_id) DO UPDATE SET
                opens_at = excluded.opens_at,
                admit_per_minute = excluded.admit_per_minute,
                pass_minutes = excluded.pass_minutes,
                max_per_buyer = excluded.max_per_buyer,
                updated_at = now()
            RETURNING {Columns}
            """);
        command.Parameters.AddWithValue("id", rules.Id);
        command.Parameters.AddWithValue("event_id", rules.EventId);
        command.Parameters.AddWithValue("opens_at", rules.OpensAt);
        command.Parameters.AddWithValue("admit_per_minute", rules.AdmitPerMinute);
        command.Parameters.AddWithValue("pass_minutes", rules.PassMinutes);
        command.Parameters.AddWithValue("max_per_buyer", (object?)rules.MaxPerBuyer ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    /// <summary>Removes the event's on-sale; false when it had none.</summary>
    public async Task<bool> RemoveAsync(Guid eventId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("DELETE FROM ticketing.onsales WHERE event_id = @event_id");
        command.Parameters.AddWithValue("event_id", eventId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private static OnSaleRules Read(NpgsqlDataReader reader) => new(
        Id: reader.GetGuid(reader.GetOrdinal("id")),
        EventId: reader.GetGuid(reader.GetOrdinal("event_id")),
        OpensAt: reader.GetFieldValue<DateTimeOffset>(reader.GetOrdinal("opens_at")),
        AdmitPerMinute: reader.GetInt32(reader.GetOrdinal("admit_per_minute")),
        PassMinutes: reader.GetInt32(reader.GetOrdinal("pass_minutes")),
        MaxPerBuyer: reader.IsDBNull(reader.GetOrdinal("max_per_buyer")) ? null : reader.GetInt32(reader.GetOrdinal("max_per_buyer")));
}
