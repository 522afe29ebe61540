using Ticketing.Abstractions.OnSales;
using Ticketing.Grains.OnSales;

namespace Ticketing.Testing;

/// <summary>
/// An audit of an on-sale's waiting room from its tables alone, as an
/// auditor would replay it: each place's key from the stored seed, and the
/// admission step that admitted it (the first whose frontier reaches it).
/// </summary>
public sealed class QueueAudit
{
    private QueueAudit(IReadOnlyList<AuditedPlace> places, IReadOnlyList<AdmissionStep> steps)
    {
        Places = places;
        Steps = steps;
    }

    /// <summary>Every place, in admission order.</summary>
    public IReadOnlyList<AuditedPlace> Places { get; }

    public IReadOnlyList<AdmissionStep> Steps { get; }

    public static async Task<QueueAudit> ReplayAsync(TestDatabase database, Guid eventId)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var onSaleId = (Guid)(await Scalar(connection, "SELECT onsale_id FROM ticketing.queue_openings WHERE event_id = @event_id", ("event_id", eventId)))!;
        var seed = (byte[])(await Scalar(connection, "SELECT seed FROM ticketing.queue_openings WHERE onsale_id = @id", ("id", onSaleId)))!;

        var steps = new List<AdmissionStep>();
        await using (var command = new Npgsql.NpgsqlCommand(
            "SELECT step, frontier_late, frontier_rank, frontier_arrival, admitted_at, admitted_total FROM ticketing.queue_admissions WHERE onsale_id = @id ORDER BY step", connection))
        {
            command.Parameters.AddWithValue("id", onSaleId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                steps.Add(new AdmissionStep(reader.GetInt32(0), new QueueKey(reader.GetBoolean(1), reader.GetInt64(2), reader.GetInt64(3)),
                    reader.GetFieldValue<DateTimeOffset>(4), reader.GetInt64(5)));
            }
        }

        var places = new List<AuditedPlace>();
        await using (var command = new Npgsql.NpgsqlCommand("SELECT user_id, arrival, early FROM ticketing.queue_entries WHERE onsale_id = @id", connection))
        {
            command.Parameters.AddWithValue("id", onSaleId);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var key = Admission.KeyOf(seed, reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2));
                var step = steps.FirstOrDefault(s => s.Frontier >= key);
                places.Add(new AuditedPlace(reader.GetString(0), reader.GetBoolean(2), reader.GetInt64(1), key, step?.Number, step?.AdmittedAt));
            }
        }

        return new QueueAudit([.. places.OrderBy(p => p.Key)], steps);
    }

    private static async Task<object?> Scalar(Npgsql.NpgsqlConnection connection, string sql, (string Name, object Value) parameter)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        return await command.ExecuteScalarAsync();
    }
}

/// <summary>A place as the audit replays it; <paramref name="Step"/> null while it waits.</summary>
public sealed record AuditedPlace(string UserId, bool Early, long Arrival, QueueKey Key, int? Step, DateTimeOffset? AdmittedAt);
