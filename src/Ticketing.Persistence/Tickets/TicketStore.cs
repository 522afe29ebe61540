using System.Security.Cryptography;
using Npgsql;
using Ticketing.Domain.Orders;

namespace Ticketing.Persistence.Tickets;

/// <summary>A ticket as its check-in sees it.</summary>
public sealed record TicketCheckIn(
    Guid TicketId, Guid OrderId, Guid TierId, Guid EventId, string Status, string? ActiveToken, DateTimeOffset? AdmittedAt, string? AdmittedGate)
{
    public bool Admits => Status == "issued" && ActiveToken is not null;
}

/// <summary>A ticket with its owner, for reading it over the API.</summary>
public sealed record OwnedTicket(OrderTicket Ticket, string UserId);

/// <summary>Thrown when the ticket changed in the database since it was read (refunded, admitted elsewhere).</summary>
public sealed class TicketChangedException(Guid ticketId, Exception inner)
    : Exception($"Ticket {ticketId} changed since it was read.", inner);

/// <summary>Tickets' codes and check-ins. Tickets themselves are written by their tier.</summary>
public sealed class TicketStore : IAsyncDisposable
{
    private readonly NpgsqlDataSource database;
    private readonly Batched<Guid, TicketCheckIn?> checkIns;

    public TicketStore(NpgsqlDataSource database)
    {
        this.database = database;
        checkIns = new Batched<Guid, TicketCheckIn?>(
            async ticketId => (await ReadCheckInsAsync([ticketId])).GetValueOrDefault(ticketId),
            async ticketIds =>
            {
                var found = await ReadCheckInsAsync([.. ticketIds.Distinct()]);
                return [.. ticketIds.Select(found.GetValueOrDefault)];
            });
    }

    /// <summary>128 random bits, URL-safe base64 without padding (22 characters).</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The ticket as its check-in sees it (read together with other tickets asked for at the same moment).</summary>
    public Task<TicketCheckIn?> LoadAsync(Guid ticketId) => checkIns.CallAsync(ticketId);

    public ValueTask DisposeAsync() => checkIns.DisposeAsync();

    private async Task<Dictionary<Guid, TicketCheckIn>> ReadCheckInsAsync(IReadOnlyList<Guid> ticketIds)
    {
        await using var command = database.CreateCommand(
            """
            SELECT t.id, t.order_id, t.tier_id, tt.event_id, t.status, k.token, t.admitted_at, t.admitted_gate
            FROM ticketing.tickets t
            JOIN ticketing.ticket_tiers tt ON tt.id = t.tier_id
            LEFT JOIN ticketing.ticket_tokens k ON k.ticket_id = t.id AND k.status = 'active'
            WHERE t.id = ANY(@ids)
            """);
        command.Parameters.AddWithValue("ids", ticketIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var found = new Dictionary<Guid, TicketCheckIn>(ticketIds.Count);
        while (await reader.ReadAsync())
        {
            var id = reader.GetGuid(0);
            found[id] = new TicketCheckIn(
                id, reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetString(7));
        }

        return found;
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
                new OrderTicket(ticketId, reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4)),
                reader.GetString(5))
            : null;
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
}
