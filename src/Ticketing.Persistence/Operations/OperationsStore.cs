using Npgsql;

namespace Ticketing.Persistence.Operations;

/// <summary>An upcoming event's fitness to open the doors (a row of ticketing.event_readiness).</summary>
public sealed record EventReadiness(
    Guid EventId, string Title, DateTimeOffset StartsAt, string Status,
    int Tiers, int Capacity, int Sold, int Reserved, int Available, int NegativeTiers, int GhostReserved, int PaidWithoutTickets);

/// <summary>The invariants measured for the alerts.</summary>
public sealed record InvariantCounts(long PaidOrdersMissingTickets, long NegativeAvailabilityTiers, long GhostReservations, long LaggingExpiredHolds, long PaymentsWithoutOrder);

/// <summary>A tier whose stored counters disagree with its holds and tickets, or with holds nobody freed.</summary>
public sealed record TierDrift(Guid TierId, int StoredReserved, int LiveReserved, int LapsedReserved, int StoredIssued, int LiveTickets);

/// <summary>An order's money as the order records it.</summary>
public sealed record OrderMoney(Guid OrderId, string PaymentIntentId, string Status, long PaidCents, long RefundedCents);

/// <summary>The queries behind readiness, alerts, reconciliation and retention.</summary>
/// <summary>What one erasure changed, table by table.</summary>
public sealed record Erasure(int Orders, int Holds, int IdempotencyKeys, int WebhookEvents, int Scans, int AuditEntries, int QueuePlaces);

public sealed class OperationsStore(NpgsqlDataSource database)
{
    /// <summary>Readiness of one event or all; only of the <paramref name="organizations"/>' events when they are named.</summary>
    public async Task<IReadOnlyList<EventReadiness>> ReadinessAsync(Guid? eventId, IReadOnlyList<string>? organizations, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT r.event_id, r.title, r.starts_at, r.status, r.tiers, r.capacity, r.sold, r.reserved, r.available,
                   r.negative_tiers, r.ghost_reserved, r.paid_without_tickets
            FROM ticketing.event_readiness r
            WHERE (@event_id::uuid IS NULL OR r.event_id = @event_id)
              AND (@organizations::text[] IS NULL OR r.event_id IN (
                  SELECT e.id FROM ticketing.events e WHERE e.organization_id = ANY(@organizations)))
            ORDER BY r.starts_at, r.event_id
            """);
        command.Parameters.Add(new NpgsqlParameter("event_id", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)eventId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("organizations", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text)
        {
            Value = (object?)organizations?.ToArray() ?? DBNull.Value,
        });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<EventReadiness>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new EventReadiness(
                reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
                reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8),
                reader.GetInt32(9), reader.GetInt32(10), reader.GetInt32(11)));
        }

        return events;
    }

    /// <summary>
    /// The alert measures, cheap enough to run every minute on a million
    /// orders and during a rush (plans: docs/performance.md,
    /// scripts/explain-operations.sh). Paid orders still waiting for their
    /// tickets come from a partial index. A fulfilled order's tickets are
    /// checked by the database at commit (sql/0007), so only orders whose
    /// tickets were deleted afterwards (noted by sql/0014; none in normal
    /// operation) are recounted here: a recount of every recently changed
    /// order would grow with the rate of sale. The daily reconciliation
    /// recounts every order. Tiers are checked with
    /// their live holds and stored issued count.
    /// </summary>
    public async Task<InvariantCounts> InvariantCountsAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            WITH tiers AS (
                SELECT t.quantity, t.reserved_quantity, t.issued_quantity,
                       coalesce(h.live_reserved, 0) AS live_reserved
                FROM ticketing.ticket_tiers t
                LEFT JOIN (SELECT tier_id, sum(quantity) AS live_reserved
                           FROM ticketing.ticket_holds
                           WHERE status = 'active' AND expires_at > now()
                           GROUP BY tier_id) h ON h.tier_id = t.id)
            SELECT
                (SELECT count(*) FROM ticketing.orders WHERE status = 'paid' AND paid_at < now() - interval '5 minutes')
                -- tickets taken away after the commit-time check (sql/0014): none in normal operation
                + (SELECT count(*) FROM ticketing.orders_tickets_removed r JOIN ticketing.orders o ON o.id = r.order_id
                   WHERE o.status IN ('fulfilled', 'refunded', 'partially_refunded', 'disputed')
                     AND (SELECT count(*) FROM ticketing.tickets k WHERE k.order_id = o.id)
                         <> (SELECT sum(i.quantity) FROM ticketing.order_items i WHERE i.order_id = o.id)),
                (SELECT count(*) FROM tiers
                 WHERE quantity - live_reserved - issued_quantity < 0 OR quantity - reserved_quantity - issued_quantity < 0),
                (SELECT coalesce(sum(greatest(reserved_quantity - live_reserved, 0)), 0) FROM tiers),
                (SELECT count(*) FROM ticketing.ticket_holds WHERE status = 'active' AND expires_at < now() - interval '60 seconds'),
                (SELECT count(*) FROM ticketing.payments_without_order WHERE noticed_at > now() - interval '1 day')
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new InvariantCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>
    /// The orders with work still ahead of them, by status: unpaid, paid and
    /// waiting for tickets, unfulfillable and not yet refunded. From the
    /// partial index of those (sql/0013), so a season of settled orders costs
    /// nothing here, where counting every order would grow with each one sold.
    /// Orders that settle are counted as they do (<c>orders_fulfilled_total</c>,
    /// <c>orders_unfulfillable_total</c>).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> OpenOrdersByStatusAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT status, count(*) FROM ticketing.orders
            WHERE status IN ('awaiting_payment', 'payment_failed', 'paid')
               OR (status = 'unfulfillable' AND automatic_refund_id IS NULL)
            GROUP BY status
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        // Every open status has a value, zero when no order is in it, so the gauge's series never vanish.
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { ["awaiting_payment"] = 0, ["payment_failed"] = 0, ["paid"] = 0, ["unfulfillable"] = 0 };
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task<IReadOnlyList<TierDrift>> TierDriftAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT tier_id, stored_reserved, live_reserved, lapsed_reserved, stored_issued, live_tickets
            FROM ticketing.tier_health
            WHERE stored_reserved <> live_reserved OR stored_issued <> live_tickets OR lapsed_reserved > 0
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var drifts = new List<TierDrift>();
        while (await reader.ReadAsync(cancellationToken))
        {
            drifts.Add(new TierDrift(reader.GetGuid(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5)));
        }

        return drifts;
    }

    public async Task<IReadOnlyList<Guid>> OrdersMissingTicketsAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT id FROM ticketing.orders WHERE status = 'paid' AND paid_at < now() - interval '5 minutes'
            UNION
            SELECT i.order_id
            FROM ticketing.order_items i JOIN ticketing.orders o ON o.id = i.order_id
            WHERE o.status IN ('fulfilled', 'refunded', 'partially_refunded', 'disputed')
            GROUP BY i.order_id
            HAVING sum(i.quantity) <> (SELECT count(*) FROM ticketing.tickets k WHERE k.order_id = i.order_id)
            """);
        return await Ids(command, cancellationToken);
    }

    /// <summary>Every order given a payment intent since <paramref name="since"/>, with the money it records.</summary>
    public async Task<IReadOnlyList<OrderMoney>> OrderMoneySinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT id, stripe_payment_intent_id, status, coalesce(amount_paid_cents, 0), amount_refunded_cents
            FROM ticketing.orders
            WHERE stripe_payment_intent_id IS NOT NULL AND created_at >= @since
            ORDER BY created_at
            """);
        command.Parameters.AddWithValue("since", since.UtcDateTime);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var orders = new List<OrderMoney>();
        while (await reader.ReadAsync(cancellationToken))
        {
            orders.Add(new OrderMoney(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4)));
        }

        return orders;
    }

    public async Task<long> SaveRunAsync(DateTimeOffset startedAt, DateTimeOffset finishedAt, string report, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.reconciliation_runs (started_at, finished_at, report)
            VALUES (@started_at, @finished_at, @report::jsonb)
            RETURNING id
            """);
        command.Parameters.AddWithValue("started_at", startedAt.UtcDateTime);
        command.Parameters.AddWithValue("finished_at", finishedAt.UtcDateTime);
        command.Parameters.AddWithValue("report", report);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The last run's report (JSON), or null before the first run.</summary>
    public async Task<string?> LatestRunAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "SELECT report::text FROM ticketing.reconciliation_runs ORDER BY id DESC LIMIT 1");
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>The last run's revenue difference in cents (0 before the first run).</summary>
    public async Task<long> LatestRevenueDifferenceAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "SELECT coalesce((report -> 'revenue' ->> 'differenceCents')::bigint, 0) FROM ticketing.reconciliation_runs ORDER BY id DESC LIMIT 1");
        return await command.ExecuteScalarAsync(cancellationToken) is long difference ? difference : 0;
    }

    /// <summary>
    /// Blanks the contact details of orders created before <paramref name="before"/>,
    /// keeping amounts, statuses and tickets; each order once, with an audit
    /// entry. Answers how many orders changed.
    /// </summary>
    public async Task<int> AnonymizeAsync(DateTimeOffset before, string actor, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(AnonymizeOrders("created_at < @before"));
        command.Parameters.AddWithValue("before", before.UtcDateTime);
        command.Parameters.AddWithValue("actor", actor);
        return (int)(long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// A buyer's right to erasure, in one transaction: the stored Stripe events
    /// about their payments lose their payloads, their scans' code prefixes and
    /// their holds' user ids are replaced with random ones, their idempotency
    /// keys (which hold whole responses) go, the tier audit entries that name
    /// them name a random id instead, their places in waiting rooms go (the
    /// others' order stays as drawn), and their orders lose the contact
    /// details and the user id (money, statuses and tickets stay). Random
    /// replacements: nothing left can be traced back to the user id.
    /// </summary>
    public async Task<Erasure> EraseBuyerAsync(string userId, string actor, CancellationToken cancellationToken)
    {
        await using var batch = database.CreateBatch();
        // Events still to be processed keep their payloads until they are.
        batch.BatchCommands.Add(Counted(
            """
            WITH theirs AS (
                SELECT id::text AS order_id, stripe_payment_intent_id AS intent
                FROM ticketing.orders WHERE user_id = @user_id),
            erased AS (
                UPDATE ticketing.stripe_events e
                SET payload = jsonb_build_object('id', e.event_id, 'type', e.type, 'erased', true)
                WHERE e.status = 'processed'
                  AND NOT e.payload ? 'erased'
                  AND (e.payload #>> '{data,object,metadata,order_id}' IN (SELECT order_id FROM theirs)
                       OR e.payload #>> '{data,object,payment_intent}' IN (SELECT intent FROM theirs)
                       OR e.payload #>> '{data,object,id}' IN (SELECT intent FROM theirs))
                RETURNING 1)
            SELECT count(*) FROM erased
            """));
        batch.BatchCommands.Add(Counted(
            """
            WITH erased AS (
                UPDATE ticketing.ticket_scans s
                SET token_hint = left(replace(gen_random_uuid()::text, '-', ''), 6)
                FROM ticketing.tickets t JOIN ticketing.orders o ON o.id = t.order_id
                WHERE s.ticket_id = t.id AND o.user_id = @user_id AND s.token_hint IS NOT NULL
                RETURNING 1)
            SELECT count(*) FROM erased
            """));
        batch.BatchCommands.Add(Counted(
            """
            WITH erased AS (
                UPDATE ticketing.ticket_holds SET user_id = 'erased:' || gen_random_uuid() WHERE user_id = @user_id
                RETURNING 1)
            SELECT count(*) FROM erased
            """));
        batch.BatchCommands.Add(Counted(
            """
            WITH erased AS (DELETE FROM ticketing.idempotency_keys WHERE user_id = @user_id RETURNING 1)
            SELECT count(*) FROM erased
            """));
        // The tier's audit entries name the buyer of each hold placed; a rare
        // erasure may read the whole log for them.
        batch.BatchCommands.Add(Counted(
            """
            WITH erased AS (
                UPDATE ticketing.audit_log a
                SET data = jsonb_set(a.data, '{changes}', (
                    SELECT jsonb_agg(CASE WHEN c.change ->> 'user_id' = @user_id
                                          THEN jsonb_set(c.change, '{user_id}', to_jsonb('erased:' || gen_random_uuid()))
                                          ELSE c.change END ORDER BY c.n)
                    FROM jsonb_array_elements(a.data -> 'changes') WITH ORDINALITY AS c(change, n)))
                WHERE a.entity = 'tier' AND a.action = 'tier_write'
                  AND a.data -> 'changes' @> jsonb_build_array(jsonb_build_object('user_id', @user_id))
                RETURNING 1)
            SELECT count(*) FROM erased
            """));
        var orders = Counted(AnonymizeOrders("user_id = @user_id"));
        orders.Parameters.AddWithValue("actor", actor);
        batch.BatchCommands.Add(orders);
        // Keyed by on-sale first; a rare erasure may read the whole table.
        batch.BatchCommands.Add(Counted(
            """
            WITH erased AS (DELETE FROM ticketing.queue_entries WHERE user_id = @user_id RETURNING 1)
            SELECT count(*) FROM erased
            """));

        var counts = new List<int>();
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    counts.Add((int)reader.GetInt64(0));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return new Erasure(Orders: counts[5], Holds: counts[2], IdempotencyKeys: counts[3], WebhookEvents: counts[0], Scans: counts[1], AuditEntries: counts[4], QueuePlaces: counts[6]);

        NpgsqlBatchCommand Counted(string sql)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("user_id", userId);
            return command;
        }
    }

    /// <summary>Orders matching <paramref name="which"/> lose contact details and user id, once each, audited.</summary>
    private static string AnonymizeOrders(string which) =>
        $"""
        WITH anonymized AS (
            UPDATE ticketing.orders
            SET contact_email = NULL, contact_name = NULL, contact_phone = NULL,
                user_id = 'anonymized:' || gen_random_uuid(), anonymized_at = now(), updated_at = now()
            WHERE anonymized_at IS NULL AND {which}
            RETURNING id),
        audited AS (
            INSERT INTO ticketing.audit_log (actor, entity, entity_id, action)
            SELECT @actor, 'order', id::text, 'contact_anonymized' FROM anonymized)
        SELECT count(*) FROM anonymized
        """;

    private static async Task<IReadOnlyList<Guid>> Ids(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
