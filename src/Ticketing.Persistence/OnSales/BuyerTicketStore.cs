using Npgsql;
using Ticketing.Domain.OnSales;

namespace Ticketing.Persistence.OnSales;

/// <summary>
/// What one buyer has of one event, for the per-buyer cap: read in one
/// statement, so holds, orders and tickets are counted at the same moment and
/// a hold moving into an order, or an order into tickets, is counted once.
/// </summary>
public sealed class BuyerTicketStore(NpgsqlDataSource database)
{
    /// <summary>
    /// The buyer's tickets in the event as of <paramref name="now"/> (a live
    /// hold past its expiry no longer counts, as its tier judges it), and which
    /// of <paramref name="claimedHoldIds"/> have been written.
    /// </summary>
    public async Task<BuyerTickets> ReadAsync(Guid eventId, string userId, DateTimeOffset now, IReadOnlyCollection<Guid> claimedHoldIds, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            -- The buyer's orders first, then the event's among them: a buyer has few orders and an on-sale's
            -- event many, but while the event is newer than the statistics PostgreSQL expects it to have one.
            WITH all_buyer_orders AS MATERIALIZED (
                SELECT id, event_id, status FROM ticketing.orders WHERE user_id = @user_id),
            buyer_orders AS (
                SELECT id, status IN ('awaiting_payment', 'payment_failed', 'paid') AS before_tickets
                FROM all_buyer_orders
                WHERE event_id = @event_id)
            -- an order counts what it orders until its tickets exist, then its tickets not refunded or voided
            SELECT 'owed' AS kind, NULL::uuid AS hold_id, NULL::uuid AS tier_id,
                   ((SELECT coalesce(sum(i.quantity), 0)
                     FROM buyer_orders o JOIN ticketing.order_items i ON i.order_id = o.id
                     WHERE o.before_tickets)
                  + (SELECT count(*)
                     FROM buyer_orders o JOIN ticketing.tickets t ON t.order_id = o.id
                     WHERE NOT o.before_tickets AND t.status = 'issued'))::int AS quantity
            UNION ALL
            -- live holds that no order pays with: an order counts its own
            SELECT 'held', h.id, h.tier_id, h.quantity
            FROM ticketing.ticket_holds h
            WHERE h.tier_id IN (SELECT id FROM ticketing.ticket_tiers WHERE event_id = @event_id)
              AND h.user_id = @user_id AND h.status = 'active' AND h.expires_at > @now
              AND NOT EXISTS (SELECT 1 FROM ticketing.order_items i WHERE i.hold_id = h.id)
            UNION ALL
            -- claimed holds that have a row: whatever they are now, they are counted above
            SELECT 'written', h.id, h.tier_id, h.quantity
            FROM ticketing.ticket_holds h
            WHERE h.id = ANY(@claimed)
            """);
        command.Parameters.AddWithValue("event_id", eventId);
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.AddWithValue("claimed", claimedHoldIds.ToArray());

        var owed = 0;
        var holds = new List<BuyerHold>();
        var written = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            switch (reader.GetString(0))
            {
                case "owed":
                    owed = reader.GetInt32(3);
                    break;
                case "held":
                    holds.Add(new BuyerHold(reader.GetGuid(1), reader.GetGuid(2), reader.GetInt32(3)));
                    break;
                default:
                    written.Add(reader.GetGuid(1));
                    break;
            }
        }

        return new BuyerTickets(owed, holds, written);
    }
}
