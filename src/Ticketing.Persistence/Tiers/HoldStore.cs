using Npgsql;
using Ticketing.Abstractions.Tiers;

namespace Ticketing.Persistence.Tiers;

/// <summary>
/// Read model of holds, for their owners. Holds are written only by their tier
/// grain. Every order placed reads its holds here first: the reads that arrive
/// together are one statement (<see cref="Batched{TCall, TResult}"/>).
/// </summary>
public sealed class HoldStore : IAsyncDisposable
{
    private readonly NpgsqlDataSource database;
    private readonly Batched<Guid, StoredHold?> reads;

    public HoldStore(NpgsqlDataSource database)
    {
        this.database = database;
        reads = new Batched<Guid, StoredHold?>(ReadTogetherAsync);
    }

    public ValueTask DisposeAsync() => reads.DisposeAsync();

    /// <summary>The hold as of <paramref name="now"/>: a live hold past its expiry reads as expired, as the tier counts it.</summary>
    public async Task<HoldInfo?> FindAsync(Guid holdId, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await FindWithOrderAsync(holdId, now, cancellationToken))?.Hold;

    /// <summary>The tier of the hold, whoever's it is and whatever its status; null for no such hold.</summary>
    public async Task<Guid?> TierOfAsync(Guid holdId, CancellationToken cancellationToken) =>
        (await reads.CallAsync(holdId).WaitAsync(cancellationToken))?.Hold.TierId;

    /// <summary>The hold as <see cref="FindAsync"/> reads it, and the order it pays for, if any.</summary>
    public async Task<(HoldInfo Hold, Guid? OrderId)?> FindWithOrderAsync(Guid holdId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await reads.CallAsync(holdId).WaitAsync(cancellationToken) is not { } stored)
        {
            return null;
        }

        var hold = stored.Hold.Status == HoldStatus.Active && stored.Hold.ExpiresAt <= now
            ? stored.Hold with { Status = HoldStatus.Expired }
            : stored.Hold;
        return (hold, stored.OrderId);
    }

    private sealed record StoredHold(HoldInfo Hold, Guid? OrderId);

    private async Task<IReadOnlyList<StoredHold?>> ReadTogetherAsync(IReadOnlyList<Guid> holdIds)
    {
        await using var command = database.CreateCommand(
            """
            SELECT h.id, h.tier_id, h.user_id, h.quantity, h.expires_at, h.status, i.order_id
            FROM ticketing.ticket_holds h
            -- at most one: order_items_one_order_per_hold
            LEFT JOIN ticketing.order_items i ON i.hold_id = h.id
            WHERE h.id = ANY(@ids)
            """);
        command.Parameters.AddWithValue("ids", holdIds.ToArray());
        var found = new Dictionary<Guid, StoredHold>(holdIds.Count);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var hold = new HoldInfo(reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(4), Enum.Parse<HoldStatus>(reader.GetString(5), ignoreCase: true));
            found[hold.Id] = new StoredHold(hold, reader.IsDBNull(6) ? null : reader.GetGuid(6));
        }

        return [.. holdIds.Select(id => found.GetValueOrDefault(id))];
    }

    /// <summary>Whether an unpaid order is paying with this hold.</summary>
    public async Task<bool> InOpenOrderAsync(Guid holdId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT EXISTS (
                SELECT 1 FROM ticketing.order_items i JOIN ticketing.orders o ON o.id = i.order_id
                WHERE i.hold_id = @id AND o.status IN ('awaiting_payment', 'payment_failed'))
            """);
        command.Parameters.AddWithValue("id", holdId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
