using Npgsql;

namespace Ticketing.Persistence.Payments;

/// <summary>How far an inbox event got.</summary>
public enum InboxStatus
{
    Pending,
    Processed,
    Failed,
}

/// <summary>An event of the inbox still to be acted on.</summary>
public sealed record InboxEvent(string EventId, string Type, string Payload, int Attempts);

/// <summary>
/// The webhook inbox: every Stripe event is stored, keyed by its id, before it
/// is acted on, so a repeated delivery is recognised and a failed one retried.
/// </summary>
public sealed class StripeEventStore(NpgsqlDataSource database)
{
    /// <summary>Stores the event unless known; answers its status (<see cref="InboxStatus.Pending"/> when new).</summary>
    public async Task<InboxStatus> ReceiveAsync(string eventId, string type, string payload, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            WITH received AS (
                INSERT INTO ticketing.stripe_events (event_id, type, payload)
                VALUES (@event_id, @type, @payload::jsonb)
                ON CONFLICT (event_id) DO NOTHING
                RETURNING status)
            SELECT status FROM received
            UNION ALL
            SELECT status FROM ticketing.stripe_events WHERE event_id = @event_id AND NOT EXISTS (SELECT 1 FROM received)
            """);
        command.Parameters.AddWithValue("event_id", eventId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("payload", payload);
        // No row at all: a concurrent delivery inserted it after this statement's
        // snapshot was taken, and has not finished with it.
        return await command.ExecuteScalarAsync(cancellationToken) is string status
            ? Enum.Parse<InboxStatus>(status, ignoreCase: true)
            : InboxStatus.Pending;
    }

    public async Task MarkProcessedAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            UPDATE ticketing.stripe_events
            SET status = 'processed', processed_at = now(), attempts = attempts + 1, last_error = NULL
            WHERE event_id = @event_id
            """);
        command.Parameters.AddWithValue("event_id", eventId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task MarkFailedAsync(string eventId, string error, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            UPDATE ticketing.stripe_events
            SET status = 'failed', attempts = attempts + 1, last_error = @error
            WHERE event_id = @event_id AND status <> 'processed'
            """);
        command.Parameters.AddWithValue("event_id", eventId);
        command.Parameters.AddWithValue("error", error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Events not processed yet and received before <paramref name="receivedBefore"/>, oldest first.</summary>
    public async Task<IReadOnlyList<InboxEvent>> UnprocessedAsync(DateTimeOffset receivedBefore, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT event_id, type, payload::text, attempts
            FROM ticketing.stripe_events
            -- a pending event older than a moment was dropped by a crash mid-way
            WHERE status <> 'processed' AND received_at < @received_before
            ORDER BY received_at
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("received_before", receivedBefore.UtcDateTime);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<InboxEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new InboxEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3)));
        }

        return events;
    }
}
