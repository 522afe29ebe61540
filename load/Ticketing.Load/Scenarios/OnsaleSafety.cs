using Npgsql;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// What must never happen in an on-sale, counted from PostgreSQL's rows after
/// the run rather than from the API's answers: holds by buyers the waiting
/// room never admitted (or placed before their admission), buyers past the
/// cap, and seats committed past a tier's capacity.
/// </summary>
public sealed record OnsaleSafety(long HoldsWithoutPass, long BuyersOverCap, long OversoldSeats, long TicketsIssued, long ActiveHolds)
{
    public bool Safe => HoldsWithoutPass == 0 && BuyersOverCap == 0 && OversoldSeats == 0;

    public override string ToString() =>
        $"safety (PostgreSQL): holds without a pass {HoldsWithoutPass}, buyers over the cap {BuyersOverCap}, oversold seats {OversoldSeats} (each must be 0){(Safe ? "" : " — UNSAFE")}; {TicketsIssued} tickets issued, {ActiveHolds} holds active";

    /// <param name="connectionString">The silo's database.</param>
    /// <param name="tierIds">The tiers on sale.</param>
    /// <param name="admitted">Each buyer the waiting room admitted, with when (the silo's clock).</param>
    /// <param name="maxPerBuyer">The on-sale's cap; null counts no buyer over it.</param>
    /// <param name="cancellationToken">Stops the count.</param>
    public static async Task<OnsaleSafety> CountAsync(
        string connectionString, Guid[] tierIds, IReadOnlyList<(string UserId, DateTimeOffset AdmittedAt)> admitted, int? maxPerBuyer, CancellationToken cancellationToken = default)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand(
            """
            WITH admitted AS (
                SELECT user_id, min(admitted_at) AS admitted_at
                FROM unnest(@user_ids, @admitted_at) AS a(user_id, admitted_at)
                GROUP BY user_id
            ),
            -- Tickets a buyer has of these tiers at once, each counted once: live
            -- holds no order pays with, what an order orders until its tickets
            -- exist, then its tickets not refunded or voided.
            committed AS (
                SELECT h.user_id, h.tier_id, h.quantity
                FROM ticketing.ticket_holds h
                WHERE h.tier_id = ANY(@tier_ids) AND h.status = 'active' AND h.expires_at > now()
                  AND NOT EXISTS (SELECT 1 FROM ticketing.order_items i WHERE i.hold_id = h.id)
                UNION ALL
                SELECT o.user_id, i.tier_id, i.quantity
                FROM ticketing.orders o JOIN ticketing.order_items i ON i.order_id = o.id
                WHERE i.tier_id = ANY(@tier_ids) AND o.status IN ('awaiting_payment', 'payment_failed', 'paid')
                UNION ALL
                SELECT o.user_id, t.tier_id, 1
                FROM ticketing.orders o JOIN ticketing.tickets t ON t.order_id = o.id
                WHERE t.tier_id = ANY(@tier_ids) AND t.status = 'issued'
                  AND o.status NOT IN ('awaiting_payment', 'payment_failed', 'paid')
            )
            SELECT
                -- A hold by someone never admitted, or made before the admission (a
                -- second's slack between the silo's clock and the database's).
                (SELECT count(*) FROM ticketing.ticket_holds h
                 LEFT JOIN admitted a ON a.user_id = h.user_id
                 WHERE h.tier_id = ANY(@tier_ids)
                   AND (a.user_id IS NULL OR h.created_at < a.admitted_at - interval '1 second')),
                (SELECT count(*) FROM (
                    SELECT user_id FROM committed GROUP BY user_id HAVING sum(quantity) > @max_per_buyer) over_cap),
                (SELECT coalesce(sum(greatest(0, used - capacity)), 0) FROM (
                    SELECT t.quantity AS capacity, coalesce((SELECT sum(c.quantity) FROM committed c WHERE c.tier_id = t.id), 0) AS used
                    FROM ticketing.ticket_tiers t WHERE t.id = ANY(@tier_ids)) per_tier),
                (SELECT count(*) FROM ticketing.tickets WHERE tier_id = ANY(@tier_ids) AND status = 'issued'),
                (SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = ANY(@tier_ids) AND status = 'active')
            """);
        command.CommandTimeout = 300;
        command.Parameters.AddWithValue("user_ids", admitted.Select(a => a.UserId).ToArray());
        command.Parameters.AddWithValue("admitted_at", admitted.Select(a => a.AdmittedAt.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("tier_ids", tierIds);
        // No cap: nobody is over it.
        command.Parameters.AddWithValue("max_per_buyer", maxPerBuyer ?? int.MaxValue);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new OnsaleSafety(reader.GetInt64(0), reader.GetInt64(1), Convert.ToInt64(reader.GetValue(2)), reader.GetInt64(3), reader.GetInt64(4));
    }
}
