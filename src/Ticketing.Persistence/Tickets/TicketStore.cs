using System.Security.Cryptography;
using Npgsql;

namespace Ticketing.Persistence.Tickets;

/// <summary>A ticket as its check-in sees it.</summary>
public sealed record TicketCheckIn(
    Guid TicketId, Guid OrderId, Guid TierId, Guid EventId, string Status, string? ActiveToken, DateTimeOffset? AdmittedAt, string? AdmittedGate)
{
    public bool Admits => Status == "issued" && ActiveToken is not null;
}

/// <summary>A ticket with its owner, for reading it over the API.</summary>
public sealed record OwnedTicket(Orders.OrderTicket Ticket, string UserId);

/// <summary>Thrown when the ticket changed in the database since it was read (refunded, admitted elsewhere).</summary>
public sealed class TicketChangedException(Guid ticketId, Exception inner)
    : Exception($"Ticket {ticketId} changed since it was read.", inner);

/// <summary>Tickets' codes and check-ins. Tickets themselves are written by their tier.</summary>
public sealed class TicketStore(NpgsqlDataSource database)
{
    /// <summary>128 random bits, URL-safe base64 without padding (22 characters).</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<TicketCheckIn?> LoadAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT t.order_id, t.tier_id, tt.event_id, t.status, k.token, t.admitted_at, t.admitted_gate
            FROM ticketing.tickets t
            JOIN ticketing.ticket_tiers tt ON tt.id = t.tier_id
            LEFT JOIN ticketing.ticket_tokens k ON k.ticket_id = t.id AND k.status = 'active'
            WHERE t.id = @id
            """);
        command.Parameters.AddWithValue("id", ticketId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new TicketCheckIn(
                ticketId, reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetString(6))
            : null;
    }

    /// <summary>The ticket a code belongs (or belonged) to.</summary>
    public async Task<Guid?> FindByTokenAsync(string token, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT ticket_id FROM ticketing.ticket_tokens WHERE token = @token");
        command.Parameters.AddWithValue("token", token);
        return await command.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    public async Task<OwnedTicket?> FindAsync(Guid ticketId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT t.order_id, t.tier_id, t.sequence_number, t.status, k.token, o.user_id
            FROM ticketing.tickets t
            JOIN ticketing.orders o ON o.id = t.order_id
            LEFT JOIN ticketing.ticket_tokens k ON k.ticket_id = t.id AND k.status = 'active'
            WHERE t.id = @id
            """);
        command.Parameters.AddWithValue("id", ticketId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new OwnedTicket(
                new Orders.OrderTicket(ticketId, reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)),
                reader.GetString(5))
            : null;
    }

    /// <summary>
    /// Records one scan of a known code and answers the code's scan count. When
    /// <paramref name="admit"/>, the ticket is marked admitted in the same
    /// transaction, only if it is still issued, not yet admitted, and the code
    /// still live; otherwise nothing is written and
    /// <see cref="TicketChangedException"/> is thrown.
    /// </summary>
    public async Task<int> RecordScanAsync(
        Guid ticketId, string token, Guid eventId, string? gate, string result, bool admit, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var batch = database.CreateBatch();
        var count = new NpgsqlBatchCommand(
            """
            UPDATE ticketing.ticket_tokens SET scan_count = scan_count + 1, last_scanned_at = @at
            WHERE token = @token
            RETURNING scan_count
            """);
        count.Parameters.AddWithValue("token", token);
        count.Parameters.AddWithValue("at", at.UtcDateTime);
        batch.BatchCommands.Add(count);
        if (admit)
        {
            var admission = new NpgsqlBatchCommand(
                """
                WITH admitted AS (
                    UPDATE ticketing.tickets t SET admitted_at = @at, admitted_gate = @gate, updated_at = now()
                    WHERE t.id = @ticket_id AND t.status = 'issued' AND t.admitted_at IS NULL
                      AND EXISTS (SELECT 1 FROM ticketing.ticket_tokens k WHERE k.token = @token AND k.ticket_id = t.id AND k.status = 'active')
                    RETURNING 1)
                -- anything else means the ticket changed behind this activation (refunded, admitted elsewhere)
                SELECT ticketing.expect_rows((SELECT count(*) FROM admitted), 1, 'ticket still admissible')
                """);
            admission.Parameters.AddWithValue("ticket_id", ticketId);
            admission.Parameters.AddWithValue("token", token);
            admission.Parameters.AddWithValue("at", at.UtcDateTime);
            admission.Parameters.Add(new NpgsqlParameter("gate", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)gate ?? DBNull.Value });
            batch.BatchCommands.Add(admission);
        }

        batch.BatchCommands.Add(ScanRow(ticketId, eventId, gate, result, token, at));
        try
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            var scans = await reader.ReadAsync(cancellationToken) ? reader.GetInt32(0) : 0;
            while (await reader.NextResultAsync(cancellationToken))
            {
                // surfaces a failure of the later statements
            }

            return scans;
        }
        catch (PostgresException changed) when (changed.SqlState == PostgresErrorCodes.SerializationFailure)
        {
            throw new TicketChangedException(ticketId, changed);
        }
    }

    /// <summary>Records a scan of a code no ticket has.</summary>
    public async Task RecordUnknownScanAsync(string token, Guid eventId, string? gate, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(ScanRow(null, eventId, gate, "unknown", token, at));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Revokes the ticket's live code and gives it <paramref name="newToken"/>, in one transaction.</summary>
    public async Task ReissueAsync(Guid ticketId, string oldToken, string newToken, CancellationToken cancellationToken)
    {
        await using var batch = database.CreateBatch();
        var revoke = new NpgsqlBatchCommand(
            """
            WITH revoked AS (
                UPDATE ticketing.ticket_tokens SET status = 'revoked', revoked_at = now()
                WHERE token = @old AND ticket_id = @ticket_id AND status = 'active'
                RETURNING 1)
            SELECT ticketing.expect_rows((SELECT count(*) FROM revoked), 1, 'the live code')
            """);
        revoke.Parameters.AddWithValue("old", oldToken);
        revoke.Parameters.AddWithValue("ticket_id", ticketId);
        batch.BatchCommands.Add(revoke);
        var issue = new NpgsqlBatchCommand("INSERT INTO ticketing.ticket_tokens (token, ticket_id) VALUES (@new, @ticket_id)");
        issue.Parameters.AddWithValue("new", newToken);
        issue.Parameters.AddWithValue("ticket_id", ticketId);
        batch.BatchCommands.Add(issue);
        var audit = new NpgsqlBatchCommand(
            "INSERT INTO ticketing.audit_log (actor, entity, entity_id, action) VALUES ('ticket-grain', 'ticket', @ticket_id::text, 'code_reissued')");
        audit.Parameters.AddWithValue("ticket_id", ticketId);
        batch.BatchCommands.Add(audit);
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException changed) when (changed.SqlState == PostgresErrorCodes.SerializationFailure)
        {
            throw new TicketChangedException(ticketId, changed);
        }
    }

    private static NpgsqlBatchCommand ScanRow(Guid? ticketId, Guid eventId, string? gate, string result, string token, DateTimeOffset at)
    {
        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO ticketing.ticket_scans (ticket_id, event_id, gate, result, scanned_at, token_hint)
            VALUES (@ticket_id, @event_id, @gate, @result, @at, @hint)
            """);
        command.Parameters.Add(new NpgsqlParameter("ticket_id", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)ticketId ?? DBNull.Value });
        command.Parameters.AddWithValue("event_id", eventId);
        command.Parameters.Add(new NpgsqlParameter("gate", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)gate ?? DBNull.Value });
        command.Parameters.AddWithValue("result", result);
        command.Parameters.AddWithValue("at", at.UtcDateTime);
        command.Parameters.AddWithValue("hint", token.Length > 6 ? token[..6] : token);
        return command;
    }
}
