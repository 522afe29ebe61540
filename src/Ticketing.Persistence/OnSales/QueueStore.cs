using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using Ticketing.Abstractions.OnSales;
using Ticketing.Domain.OnSales;

namespace Ticketing.Persistence.OnSales;

/// <summary>
/// An on-sale's waiting room as stored: places (written by their queue
/// shard), the opening's seed and the admission steps (written by the
/// on-sale grain).
/// </summary>
public sealed class QueueStore(NpgsqlDataSource database)
{
    /// <summary>
    /// Writes the places of buyers who joined together, in one statement, and
    /// answers each buyer's stored place: the one just written, or the one
    /// they already had.
    /// </summary>
    public async Task<IReadOnlyList<QueuePlace>> JoinAsync(Guid onSaleId, int shard, IReadOnlyList<NewPlace> places, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.queue_entries AS stored (onsale_id, user_id, shard, early, joined_at)
            SELECT @onsale_id, p.user_id, @shard, p.early, p.joined_at
            FROM unnest(@user_ids, @early, @joined_at) WITH ORDINALITY AS p(user_id, early, joined_at, n)
            ORDER BY p.n
            -- A place already stored is kept as it is and answered too. Not looked up by a SELECT: for an
            -- on-sale newer than the table's statistics, the planner reads every place of it to find a few.
            ON CONFLICT (onsale_id, user_id) DO UPDATE SET joined_at = stored.joined_at
            RETURNING user_id, arrival, early, joined_at
            """);
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        command.Parameters.AddWithValue("shard", NpgsqlDbType.Smallint, (short)shard);
        command.Parameters.AddWithValue("user_ids", places.Select(p => p.UserId).ToArray());
        command.Parameters.AddWithValue("early", places.Select(p => p.Early).ToArray());
        command.Parameters.AddWithValue("joined_at", places.Select(p => p.JoinedAt.ToUniversalTime()).ToArray());
        var stored = new List<QueuePlace>(places.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            stored.Add(Read(reader));
        }

        return stored;
    }

    /// <summary>A shard's places, in arrival order.</summary>
    public async IAsyncEnumerable<QueuePlace> PlacesAsync(Guid onSaleId, int shard, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT user_id, arrival, early, joined_at FROM ticketing.queue_entries
            WHERE onsale_id = @onsale_id AND shard = @shard
            ORDER BY arrival
            """);
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        command.Parameters.AddWithValue("shard", NpgsqlDbType.Smallint, (short)shard);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return Read(reader);
        }
    }

    /// <summary>Whether the on-sale is still the event's: a removed one keeps its places (for audit), not its row.</summary>
    public async Task<bool> IsCurrentAsync(Guid onSaleId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT EXISTS (SELECT 1 FROM ticketing.onsales WHERE id = @onsale_id)");
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<QueueOpening?> FindOpeningAsync(Guid onSaleId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT seed, opened_at FROM ticketing.queue_openings WHERE onsale_id = @onsale_id");
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new QueueOpening(onSaleId, reader.GetFieldValue<byte[]>(0), reader.GetFieldValue<DateTimeOffset>(1))
            : null;
    }

    /// <summary>
    /// Records the opening, unless one is recorded already: answers the one
    /// stored, whose seed is the one to use.
    /// </summary>
    public async Task<QueueOpening> OpenAsync(Guid onSaleId, Guid eventId, byte[] seed, DateTimeOffset openedAt, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.queue_openings (onsale_id, event_id, seed, opened_at)
            VALUES (@onsale_id, @event_id, @seed, @opened_at)
            ON CONFLICT (onsale_id) DO NOTHING
            """);
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        command.Parameters.AddWithValue("event_id", eventId);
        command.Parameters.AddWithValue("seed", seed);
        command.Parameters.AddWithValue("opened_at", openedAt.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken);
        return await FindOpeningAsync(onSaleId, cancellationToken)
            ?? throw new InvalidOperationException($"The opening of on-sale {onSaleId} was not stored.");
    }

    /// <summary>The admission steps after <paramref name="afterStep"/>, in order.</summary>
    public async Task<IReadOnlyList<AdmissionStep>> StepsAsync(Guid onSaleId, int afterStep, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT step, frontier_late, frontier_rank, frontier_arrival, admitted_at, admitted_total
            FROM ticketing.queue_admissions
            WHERE onsale_id = @onsale_id AND step > @after
            ORDER BY step
            """);
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        command.Parameters.AddWithValue("after", afterStep);
        var steps = new List<AdmissionStep>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            steps.Add(new AdmissionStep(
                reader.GetInt32(0),
                new QueueKey(reader.GetBoolean(1), reader.GetInt64(2), reader.GetInt64(3)),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetInt64(5)));
        }

        return steps;
    }

    /// <summary>The last admission step; null before the first.</summary>
    public async Task<AdmissionStep?> LastStepAsync(Guid onSaleId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT coalesce(max(step), 0) FROM ticketing.queue_admissions WHERE onsale_id = @onsale_id");
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        var last = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return last == 0 ? null : (await StepsAsync(onSaleId, last - 1, cancellationToken))[0];
    }

    /// <summary>Records an admission step; false when a step of that number is recorded already.</summary>
    public async Task<bool> AdmitAsync(Guid onSaleId, AdmissionStep step, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.queue_admissions (onsale_id, step, frontier_late, frontier_rank, frontier_arrival, admitted_at, admitted_total)
            VALUES (@onsale_id, @step, @late, @rank, @arrival, @admitted_at, @admitted_total)
            ON CONFLICT (onsale_id, step) DO NOTHING
            """);
        command.Parameters.AddWithValue("onsale_id", onSaleId);
        command.Parameters.AddWithValue("step", step.Number);
        command.Parameters.AddWithValue("late", step.Frontier.Late);
        command.Parameters.AddWithValue("rank", step.Frontier.Rank);
        command.Parameters.AddWithValue("arrival", step.Frontier.Arrival);
        command.Parameters.AddWithValue("admitted_at", step.AdmittedAt.ToUniversalTime());
        command.Parameters.AddWithValue("admitted_total", step.AdmittedTotal);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// The last arrival number handed out, to any shard: every place with a
    /// number up to it was being written, or written, when this was read.
    /// </summary>
    public async Task<long> LastArrivalAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM ticketing.queue_arrivals");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static QueuePlace Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3));
}
