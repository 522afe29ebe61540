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
/// The webhook inbox: every Stripe event acted on is stored, keyed by its id
/// (before it is acted on, or for a payment's success while its order acts),
/// so a repeated delivery is recognised and a failed one retried.
/// Receipts and "processed" marks of events arriving together are written
/// together (<see cref="Batched{TCall, TResult}"/>): one statement for the lot.
/// </summary>
public sealed class StripeEventStore : IAsyncDisposable
{
    private readonly NpgsqlDataSource database;
    private readonly Batched<Receipt, InboxStatus> receipts;
    private readonly Batched<string, bool> processed;

    public StripeEventStore(NpgsqlDataSource database)
    {
        this.database = database;
        receipts = new Batched<Receipt, InboxStatus>(async one => (await ReceiveTogetherAsync([one]))[0], ReceiveTogetherAsync);
        processed = new Batched<string, bool>(async one => (await MarkProcessedTogetherAsync([one]))[0], MarkProcessedTogetherAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await receipts.DisposeAsync();
        await processed.DisposeAsync();
    }

    /// <summary>Stores the event unless known; answers its status (<see cref="InboxStatus.Pending"/> when new).</summary>
    public Task<InboxStatus> ReceiveAsync(string eventId, string type, string payload, CancellationToken cancellationToken) =>
        receipts.CallAsync(new Receipt(eventId, type, payload));

    public Task MarkProcessedAsync(string eventId, CancellationToken cancellationToken) => processed.CallAsync(eventId);

    private sealed record Receipt(string EventId, string Type, string Payload);

    private async Task<IReadOnlyList<InboxStatus>> ReceiveTogetherAsync(IReadOnlyList<Receipt> events)
    {
        await using var command = database.CreateCommand(
            """
            WITH incoming AS (
                SELECT * FROM unnest(@event_ids, @types, @payloads) WITH ORDINALITY AS e(event_id, type, payload, n)),
            received AS (
                INSERT INTO ticketing.stripe_events (event_id, type, payload)
                SELECT event_id, type, payload::jsonb FROM incoming
                ON CONFLICT (event_id) DO NOTHING
                RETURNING event_id, status)
            SELECT coalesce(r.status, known.status)
            FROM incoming i
            LEFT JOIN received r ON r.event_id = i.event_id
            -- stored before this statement; neither (null) when a concurrent
            -- delivery inserted it and has not finished with it
            LEFT JOIN ticketing.stripe_events known ON known.event_id = i.event_id AND r.event_id IS NULL
            ORDER BY i.n
            """);
        command.Parameters.AddWithValue("event_ids", events.Select(e => e.EventId).ToArray());
        command.Parameters.AddWithValue("types", events.Select(e => e.Type).ToArray());
        command.Parameters.AddWithValue("payloads", events.Select(e => e.Payload).ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        var statuses = new List<InboxStatus>(events.Count);
        while (await reader.ReadAsync())
        {
            statuses.Add(reader.IsDBNull(0) ? InboxStatus.Pending : Enum.Parse<InboxStatus>(reader.GetString(0), ignoreCase: true));
        }

        return statuses;
    }

    private async Task<IReadOnlyList<bool>> MarkProcessedTogetherAsync(IReadOnlyList<string> eventIds)
    {
        await using var command = database.CreateCommand(
            """
            UPDATE ticketing.stripe_events
            SET status = 'processed', processed_at = now(), attempts = attempts + 1, last_error = NULL
            WHERE event_id = ANY(@event_ids)
            """);
        command.Parameters.AddWithValue("event_ids", eventIds.ToArray());
        await command.ExecuteNonQueryAsync();
        return [.. eventIds.Select(_ => true)];
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
