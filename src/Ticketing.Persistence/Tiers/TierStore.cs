using Npgsql;
using Ticketing.Abstractions.Tiers;

namespace Ticketing.Persistence.Tiers;

/// <summary>
/// Creation and read model of tiers. Once a tier exists, its row is written
/// only by its tier grain.
/// </summary>
public sealed class TierStore(NpgsqlDataSource database)
{
    private const string Columns =
        "id, event_id, name, price_cents, currency, quantity, reserved_quantity, issued_quantity, max_per_order";

    public async Task CreateAsync(TierSnapshot tier, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, max_per_order)
            VALUES (@id, @event_id, @name, @price_cents, @currency, @quantity, @max_per_order)
            """);
        command.Parameters.AddWithValue("id", tier.Id);
        command.Parameters.AddWithValue("event_id", tier.EventId);
        command.Parameters.AddWithValue("name", tier.Name);
        command.Parameters.AddWithValue("price_cents", tier.PriceCents);
        command.Parameters.AddWithValue("currency", tier.Currency);
        command.Parameters.AddWithValue("quantity", tier.Capacity);
        command.Parameters.AddWithValue("max_per_order", tier.MaxPerOrder);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<TierSnapshot?> FindAsync(Guid tierId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"SELECT {Columns} FROM ticketing.ticket_tiers WHERE id = @id");
        command.Parameters.AddWithValue("id", tierId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<TierSnapshot>> ListForEventsAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"SELECT {Columns} FROM ticketing.ticket_tiers WHERE event_id = ANY(@event_ids) ORDER BY created_at, id");
        command.Parameters.AddWithValue("event_ids", eventIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tiers = new List<TierSnapshot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tiers.Add(Read(reader));
        }

        return tiers;
    }

    /// <summary>Sets the capacity; null when the tier is unknown, the unchanged tier when the capacity would fall below what is committed.</summary>
    public async Task<(TierSnapshot Tier, bool Changed)?> ChangeCapacityAsync(Guid tierId, int capacity, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"""
            WITH changed AS (
                UPDATE ticketing.ticket_tiers
                SET quantity = @quantity, version = version + 1, updated_at = now()
                WHERE id = @id
                  -- never below what is already held or sold
                  AND reserved_quantity + issued_quantity <= @quantity
                RETURNING {Columns}, true AS changed
            )
            SELECT * FROM changed
            UNION ALL
            SELECT {Columns}, false FROM ticketing.ticket_tiers WHERE id = @id AND NOT EXISTS (SELECT 1 FROM changed)
            """);
        command.Parameters.AddWithValue("id", tierId);
        command.Parameters.AddWithValue("quantity", capacity);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (Read(reader), reader.GetBoolean(9)) : null;
    }

    internal static TierSnapshot Read(NpgsqlDataReader reader) => new(
        Id: reader.GetGuid(0),
        EventId: reader.GetGuid(1),
        Name: reader.GetString(2),
        PriceCents: reader.GetInt64(3),
        Currency: reader.GetString(4),
        Capacity: reader.GetInt32(5),
        Reserved: reader.GetInt32(6),
        Issued: reader.GetInt32(7),
        MaxPerOrder: reader.GetInt32(8));
}
