using Npgsql;
using Ticketing.Abstractions.Tiers;

namespace Ticketing.Persistence.Tiers;

/// <summary>
/// Creation and read model of tiers. Once a tier exists, its row is written
/// only by its tier grain (<see cref="TierRepository"/>).
/// </summary>
public sealed class TierStore(NpgsqlDataSource database)
{
    /// <summary>Adds the tier to its event when the event belongs to <paramref name="organizationId"/>; false when it does not (nothing written).</summary>
    public async Task<bool> CreateAsync(TierSnapshot tier, string organizationId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, max_per_order)
            SELECT @id, @event_id, @name, @price_cents, @currency, @quantity, @max_per_order
            FROM ticketing.events e
            -- the organization is checked by the caller; this is the backstop
            WHERE e.id = @event_id AND e.organization_id = @organization_id
            """);
        command.Parameters.AddWithValue("organization_id", organizationId);
        command.Parameters.AddWithValue("id", tier.Id);
        command.Parameters.AddWithValue("event_id", tier.EventId);
        command.Parameters.AddWithValue("name", tier.Name);
        command.Parameters.AddWithValue("price_cents", tier.PriceCents);
        command.Parameters.AddWithValue("currency", tier.Currency);
        command.Parameters.AddWithValue("quantity", tier.Capacity);
        command.Parameters.AddWithValue("max_per_order", tier.MaxPerOrder);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<TierSnapshot>> ListForEventsAsync(IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        // A read model: reserved counts live holds only, as the tier grain does,
        // whether or not the grain has yet written a lapsed hold's expiry.
        await using var command = database.CreateCommand(
            """
            SELECT t.id, t.event_id, t.name, t.price_cents, t.currency, t.quantity,
                   coalesce(live.reserved, 0), t.issued_quantity, t.max_per_order
            FROM ticketing.ticket_tiers t
            LEFT JOIN LATERAL (
                SELECT sum(h.quantity)::integer AS reserved
                FROM ticketing.ticket_holds h
                WHERE h.tier_id = t.id AND h.status = 'active' AND h.expires_at > now()
            ) live ON true
            WHERE t.event_id = ANY(@event_ids)
            ORDER BY t.created_at, t.id
            """);
        command.Parameters.AddWithValue("event_ids", eventIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tiers = new List<TierSnapshot>();
        while (await reader.ReadAsync(cancellationToken))
        {
            tiers.Add(Read(reader));
        }

        return tiers;
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
