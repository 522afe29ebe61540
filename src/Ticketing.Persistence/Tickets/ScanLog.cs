using Npgsql;
using NpgsqlTypes;

namespace Ticketing.Persistence.Tickets;

/// <summary>
/// One scan to record; <c>Admit</c> marks the ticket admitted in the same transaction.
/// A gate's scan names only the code (<see cref="AtGate"/>): its ticket is the
/// code's, found by the same write, and a code nobody has is recorded unknown.
/// </summary>
public sealed record ScanRecord(Guid? TicketId, string Token, Guid EventId, string? Gate, string Result, bool Admit, DateTimeOffset At)
{
    /// <summary>A code scanned at a gate, to be admitted if the database agrees.</summary>
    public static ScanRecord AtGate(string token, Guid eventId, string? gate, DateTimeOffset at) =>
        new(null, token, eventId, gate, "admitted", Admit: true, at);
}

/// <summary>
/// How a scan was recorded: its result (null: left out, the ticket no longer
/// admits), the code's ticket and, once admitted, its tier, and the code's scan count.
/// </summary>
public readonly record struct ScanWritten(string? Result, Guid? TicketId, Guid? TierId, int ScanCount)
{
    public bool Recorded => Result is not null;
}

/// <summary>
/// Records the gates' scans with group commit: scans from all tickets that
/// arrive while a write is running go into the next one, one transaction and
/// one round trip for the lot, and each caller is answered once its scan is
/// durable. An admission is written only while the ticket is still issued, not
/// yet admitted and the code still live; otherwise that scan alone is left
/// out and answered not <see cref="ScanWritten.Recorded"/>.
/// </summary>
public sealed class ScanLog : IAsyncDisposable
{
    private readonly NpgsqlDataSource database;
    private readonly Batched<ScanRecord, ScanWritten> writes;

    public ScanLog(NpgsqlDataSource database)
    {
        this.database = database;
        writes = new Batched<ScanRecord, ScanWritten>(async scan => (await WriteAsync([scan]))[0], WriteAsync);
    }

    public Task<ScanWritten> RecordAsync(ScanRecord scan) => writes.CallAsync(scan);

    public ValueTask DisposeAsync() => writes.DisposeAsync();

    /// <summary>Writes the scans in one statement; answers each scan, by position.</summary>
    private async Task<IReadOnlyList<ScanWritten>> WriteAsync(IReadOnlyList<ScanRecord> scans)
    {
        await using var command = database.CreateCommand(
            """
            WITH s AS (
                SELECT * FROM unnest(@ns, @ticket_ids, @tokens, @event_ids, @gates, @results, @admits, @ats)
                    AS s(n, ticket_id, token, event_id, gate, result, admit, at)),
            scan AS (
                -- a gate's scan names only the code: its ticket is the code's, and a code nobody has is unknown
                SELECT s.n, coalesce(s.ticket_id, k.ticket_id) AS ticket_id, s.token, s.event_id, s.gate, s.at,
                       CASE WHEN s.ticket_id IS NULL AND k.ticket_id IS NULL THEN 'unknown' ELSE s.result END AS result,
                       s.admit AND coalesce(s.ticket_id, k.ticket_id) IS NOT NULL AS admit,
                       k.ticket_id AS code_ticket_id, k.status = 'active' AS code_live
                FROM s LEFT JOIN ticketing.ticket_tokens k ON k.token = s.token),
            admitted AS (
                UPDATE ticketing.tickets t SET admitted_at = s.at, admitted_gate = s.gate, updated_at = now()
                FROM scan s
                -- admit only what the database agrees is admissible: issued, not yet admitted, its code
                -- live, at its own event; of several scans of one ticket in a write, one admits
                WHERE s.admit AND t.id = s.ticket_id AND t.status = 'issued' AND t.admitted_at IS NULL
                  AND s.code_ticket_id = t.id AND s.code_live
                  AND EXISTS (SELECT 1 FROM ticketing.ticket_tiers tt WHERE tt.id = t.tier_id AND tt.event_id = s.event_id)
                RETURNING s.n, t.tier_id),
            kept AS (
                SELECT s.* FROM scan s WHERE NOT s.admit OR s.n IN (SELECT n FROM admitted)),
            counted AS (
                UPDATE ticketing.ticket_tokens k SET scan_count = k.scan_count + c.scans, last_scanned_at = c.last_at
                FROM (SELECT token, count(*) AS scans, max(at) AS last_at FROM kept WHERE ticket_id IS NOT NULL GROUP BY token) c
                WHERE k.token = c.token
                RETURNING k.token, k.scan_count),
            recorded AS (
                INSERT INTO ticketing.ticket_scans (ticket_id, event_id, gate, result, scanned_at, token_hint)
                SELECT ticket_id, event_id, gate, result, at, left(token, 6) FROM kept)
            -- a code scanned several times in one write: each scan gets its own count, in order
            SELECT s.n, k.result, s.ticket_id, a.tier_id,
                   coalesce(c.scan_count - (count(*) OVER (PARTITION BY k.token) - row_number() OVER (PARTITION BY k.token ORDER BY k.n)), 0)
            FROM scan s
            LEFT JOIN kept k ON k.n = s.n
            LEFT JOIN admitted a ON a.n = s.n
            LEFT JOIN counted c ON c.token = k.token
            """);
        command.Parameters.AddWithValue("ns", Enumerable.Range(0, scans.Count).ToArray());
        command.Parameters.Add(new NpgsqlParameter("ticket_ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid)
        {
            Value = scans.Select(s => (object?)s.TicketId ?? DBNull.Value).ToArray(),
        });
        command.Parameters.AddWithValue("tokens", scans.Select(s => s.Token).ToArray());
        command.Parameters.AddWithValue("event_ids", scans.Select(s => s.EventId).ToArray());
        command.Parameters.Add(new NpgsqlParameter("gates", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = scans.Select(s => (object?)s.Gate ?? DBNull.Value).ToArray(),
        });
        command.Parameters.AddWithValue("results", scans.Select(s => s.Result).ToArray());
        command.Parameters.AddWithValue("admits", scans.Select(s => s.Admit).ToArray());
        command.Parameters.AddWithValue("ats", scans.Select(s => s.At.UtcDateTime).ToArray());

        var written = new ScanWritten[scans.Count];
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            written[reader.GetInt32(0)] = new ScanWritten(
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.IsDBNull(3) ? null : reader.GetGuid(3),
                (int)reader.GetInt64(4));
        }

        return written;
    }
}
