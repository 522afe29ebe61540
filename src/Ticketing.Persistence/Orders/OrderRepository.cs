using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Ticketing.Abstractions.Orders;
using Ticketing.Domain.Orders;

namespace Ticketing.Persistence.Orders;

/// <summary>
/// Loads and writes order grains' state. Every write checks and bumps the
/// order row's version, so a stale activation cannot overwrite a newer one,
/// and appends an audit entry in the same transaction. Placements and saves
/// of many orders arriving together are written together
/// (<see cref="Batched{TCall, TResult}"/>): one statement for the lot.
/// </summary>
public sealed class OrderRepository : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// The audit entry of every order written, placed or saved: the last step of
    /// each statement, reading the <c>audit_rows (id, action, status, reason)</c>
    /// that statement names before it.
    /// </summary>
    private const string Audited =
        """
        audited AS (
            INSERT INTO ticketing.audit_log (actor, entity, entity_id, action, data)
            SELECT 'order-grain', 'order', id::text, action, jsonb_build_object('status', status, 'reason', reason)
            FROM audit_rows)
        """;

    private readonly NpgsqlDataSource database;
    private readonly Batched<OrderState, bool> placements;
    private readonly Batched<Save, bool> saves;

    public OrderRepository(NpgsqlDataSource database)
    {
        this.database = database;
        placements = new Batched<OrderState, bool>(InsertAloneAsync, InsertTogetherAsync);
        saves = new Batched<Save, bool>(SaveAloneAsync, SaveTogetherAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await placements.DisposeAsync();
        await saves.DisposeAsync();
    }

    /// <summary>
    /// Stores a new order, with its payment intent when it has one; false when
    /// one of its holds already belongs to another order or is no longer live.
    /// </summary>
    public Task<bool> InsertAsync(OrderState order, CancellationToken cancellationToken) => placements.CallAsync(order);

    /// <summary>
    /// One new order in a transaction of its own (the placement statement with
    /// a lot of one); false when one of its holds already belongs to another
    /// order or is no longer live.
    /// </summary>
    private async Task<bool> InsertAloneAsync(OrderState order)
    {
        try
        {
            await InsertTogetherAsync([order]);
            return true;
        }
        catch (PostgresException taken) when (taken is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "order_items_one_order_per_hold" })
        {
            return false;
        }
        catch (PostgresException ended) when (ended.SqlState == PostgresErrorCodes.SerializationFailure)
        {
            // A hold ended (released, replaced, expired) after it was read.
            return false;
        }
    }

    public async Task<(OrderState Order, long Version)?> LoadAsync(Guid orderId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(
                    """
                    SELECT event_id, user_id, status, total_cents, currency, contact_email, contact_name, contact_phone,
                           created_at, expires_at, stripe_payment_intent_id, stripe_client_secret, stripe_charge_id,
                           amount_paid_cents, paid_at, amount_refunded_cents, dispute, automatic_refund_id,
                           refund_requests, status_reason, version
                    FROM ticketing.orders WHERE id = @order_id
                    """),
                new NpgsqlBatchCommand(
                    """
                    SELECT tier_id, hold_id, quantity, unit_price_cents
                    FROM ticketing.order_items WHERE order_id = @order_id ORDER BY tier_id
                    """),
            },
        };
        foreach (NpgsqlBatchCommand command in batch.BatchCommands)
        {
            command.Parameters.AddWithValue("order_id", orderId);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var row = new Row(reader);
        var createdAt = row.Get<DateTimeOffset>("created_at");
        var order = new OrderState(
            orderId,
            EventId: row.Get<Guid>("event_id"),
            UserId: row.Get<string>("user_id"),
            Status: OrderStatusNames.Parse(row.Get<string>("status")),
            Items: [],
            TotalCents: row.Get<long>("total_cents"),
            Currency: row.Get<string>("currency"),
            // Anonymized (retention) or legacy orders keep no contact details.
            Contact: new OrderContact(row.Text("contact_email") ?? "", row.Text("contact_name") ?? "", row.Text("contact_phone")),
            CreatedAt: createdAt,
            ExpiresAt: row.OrNull<DateTimeOffset>("expires_at") ?? createdAt,
            PaymentIntentId: row.Text("stripe_payment_intent_id"),
            ClientSecret: row.Text("stripe_client_secret"),
            ChargeId: row.Text("stripe_charge_id"),
            AmountPaidCents: row.OrNull<long>("amount_paid_cents"),
            PaidAt: row.OrNull<DateTimeOffset>("paid_at"),
            RefundedCents: row.Get<long>("amount_refunded_cents"),
            Dispute: row.Text("dispute") is { } dispute ? Enum.Parse<DisputeState>(dispute, ignoreCase: true) : DisputeState.None,
            AutomaticRefundId: row.Text("automatic_refund_id"),
            RefundRequests: JsonSerializer.Deserialize<List<RefundRequest>>(row.Get<string>("refund_requests"), Json),
            StatusReason: row.Text("status_reason"));
        var version = row.Get<long>("version");

        await reader.NextResultAsync(cancellationToken);
        var items = new List<OrderItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new OrderItem(row.Get<Guid>("tier_id"), row.OrNull<Guid>("hold_id"), row.Get<int>("quantity"), row.Get<long>("unit_price_cents")));
        }

        return (order with { Items = items }, version);
    }

    /// <summary>
    /// Writes the order's state and answers its new version. Throws
    /// <see cref="OrderVersionConflictException"/> (and writes nothing) when the
    /// row is no longer at <paramref name="expectedVersion"/>.
    /// </summary>
    public async Task<long> SaveAsync(OrderState order, long expectedVersion, string action, CancellationToken cancellationToken)
    {
        if (!await saves.CallAsync(new Save(order, expectedVersion, action, JsonSerializer.Serialize(order.RefundRequests, Json))))
        {
            throw new OrderVersionConflictException(order.Id, expectedVersion, new InvalidOperationException("The order's row is no longer at the expected version."));
        }

        return expectedVersion + 1;
    }

    /// <summary>One order's state to write at <c>ExpectedVersion</c>, the audit entry's action, the refunds asked for as JSON.</summary>
    private sealed record Save(OrderState Order, long ExpectedVersion, string Action, string RefundRequests);

    /// <summary>
    /// One order's save in a transaction of its own: the statement for a lot,
    /// with a lot of one. False when its row is no longer at the expected version.
    /// </summary>
    private async Task<bool> SaveAloneAsync(Save save) => (await SaveTogetherAsync([save]))[0];

    /// <summary>Many orders' saves in one statement; answers, in order, whether each row was still at its expected version.</summary>
    private async Task<IReadOnlyList<bool>> SaveTogetherAsync(IReadOnlyList<Save> batch)
    {
        await using var command = database.CreateCommand(
            $"""
            WITH s AS (
                SELECT * FROM unnest(@ids, @expected_versions, @statuses, @payment_intent_ids, @client_secrets, @charge_ids,
                                     @amounts_paid, @paid_ats, @refunded, @disputes, @automatic_refund_ids, @refund_requests,
                                     @status_reasons, @actions)
                    AS s(id, expected_version, status, payment_intent_id, client_secret, charge_id,
                         amount_paid, paid_at, refunded, dispute, automatic_refund_id, refund_requests,
                         status_reason, action)),
            saved AS (
                UPDATE ticketing.orders o
                SET status = s.status, stripe_payment_intent_id = s.payment_intent_id, stripe_client_secret = s.client_secret,
                    stripe_charge_id = s.charge_id, amount_paid_cents = s.amount_paid, paid_at = s.paid_at,
                    amount_refunded_cents = s.refunded, dispute = s.dispute, automatic_refund_id = s.automatic_refund_id,
                    refund_requests = s.refund_requests::jsonb, status_reason = s.status_reason,
                    version = o.version + 1, updated_at = now()
                FROM s
                WHERE o.id = s.id AND o.version = s.expected_version
                RETURNING o.id, o.status),
            -- an order that will never be paid lets go of its holds, so the buyer can check out again with those still live
            let_go AS (
                UPDATE ticketing.order_items i SET hold_id = NULL
                FROM saved
                WHERE i.order_id = saved.id AND saved.status IN ('cancelled', 'expired') AND i.hold_id IS NOT NULL),
            audit_rows AS (
                SELECT s.id, s.action, s.status, s.status_reason AS reason FROM s JOIN saved ON saved.id = s.id),
            {Audited}
            SELECT id FROM saved
            """);
        var orders = batch.Select(b => b.Order).ToList();
        command.Parameters.AddWithValue("ids", orders.Select(o => o.Id).ToArray());
        command.Parameters.AddWithValue("expected_versions", batch.Select(b => b.ExpectedVersion).ToArray());
        command.Parameters.AddWithValue("statuses", orders.Select(o => o.Status.Name()).ToArray());
        command.Parameters.Add(Texts("payment_intent_ids", orders.Select(o => o.PaymentIntentId)));
        command.Parameters.Add(Texts("client_secrets", orders.Select(o => o.ClientSecret)));
        command.Parameters.Add(Texts("charge_ids", orders.Select(o => o.ChargeId)));
        command.Parameters.Add(new NpgsqlParameter("amounts_paid", NpgsqlDbType.Array | NpgsqlDbType.Bigint)
        {
            Value = orders.Select(o => (object?)o.AmountPaidCents ?? DBNull.Value).ToArray(),
        });
        command.Parameters.Add(new NpgsqlParameter("paid_ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
        {
            Value = orders.Select(o => (object?)o.PaidAt?.UtcDateTime ?? DBNull.Value).ToArray(),
        });
        command.Parameters.AddWithValue("refunded", orders.Select(o => o.RefundedCents).ToArray());
        command.Parameters.Add(Texts("disputes", orders.Select(o => o.Dispute == DisputeState.None ? null : o.Dispute.ToString().ToLowerInvariant())));
        command.Parameters.Add(Texts("automatic_refund_ids", orders.Select(o => o.AutomaticRefundId)));
        command.Parameters.AddWithValue("refund_requests", batch.Select(b => b.RefundRequests).ToArray());
        command.Parameters.Add(Texts("status_reasons", orders.Select(o => o.StatusReason)));
        command.Parameters.AddWithValue("actions", batch.Select(b => b.Action).ToArray());

        var saved = new HashSet<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            saved.Add(new Row(reader).Get<Guid>("id"));
        }

        return [.. batch.Select(b => saved.Contains(b.Order.Id))];
    }

    /// <summary>Many new orders in one statement, with their items and audit entries; a hold already taken or no longer live fails the lot.</summary>
    private async Task<IReadOnlyList<bool>> InsertTogetherAsync(IReadOnlyList<OrderState> orders)
    {
        var items = orders.SelectMany(o => o.Items.Select(i => (o.Id, Item: i))).ToList();
        await using var command = database.CreateCommand(
            $"""
            WITH held AS MATERIALIZED (
                -- by key alone, judged below: asked for live holds, the planner may walk
                -- every live hold of the tier when its statistics predate a rush
                SELECT id, status, expires_at FROM ticketing.ticket_holds WHERE id = ANY(@item_hold_ids)),
            placed AS (
                INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency,
                    contact_email, contact_name, contact_phone, created_at, expires_at,
                    stripe_payment_intent_id, stripe_client_secret)
                SELECT * FROM unnest(@ids, @event_ids, @user_ids, @statuses, @totals, @currencies,
                                     @emails, @names, @phones, @created_ats, @expires_ats,
                                     @payment_intent_ids, @client_secrets)
                RETURNING id, status),
            items AS (
                INSERT INTO ticketing.order_items (order_id, tier_id, hold_id, quantity, unit_price_cents)
                SELECT i.* FROM unnest(@item_order_ids, @item_tier_ids, @item_hold_ids, @item_quantities, @item_prices)
                                AS i(order_id, tier_id, hold_id, quantity, unit_price_cents)
                -- the holds were read before Stripe was asked: still live now? (a lot with one
                -- that is not fails, and each order of it is then written alone)
                JOIN held h ON h.id = i.hold_id
                WHERE h.status = 'active' AND h.expires_at > now()
                RETURNING 1),
            audit_rows AS (
                SELECT id, 'order_placed' AS action, status, NULL::text AS reason FROM placed),
            {Audited}
            SELECT ticketing.expect_rows((SELECT count(*) FROM items), @item_count, 'live holds ordered')
            """);
        command.Parameters.AddWithValue("item_count", (long)items.Count);
        command.Parameters.AddWithValue("ids", orders.Select(o => o.Id).ToArray());
        command.Parameters.AddWithValue("event_ids", orders.Select(o => o.EventId).ToArray());
        command.Parameters.AddWithValue("user_ids", orders.Select(o => o.UserId).ToArray());
        command.Parameters.AddWithValue("statuses", orders.Select(o => o.Status.Name()).ToArray());
        command.Parameters.AddWithValue("totals", orders.Select(o => o.TotalCents).ToArray());
        command.Parameters.AddWithValue("currencies", orders.Select(o => o.Currency).ToArray());
        command.Parameters.AddWithValue("emails", orders.Select(o => o.Contact.Email).ToArray());
        command.Parameters.AddWithValue("names", orders.Select(o => o.Contact.Name).ToArray());
        command.Parameters.Add(Texts("phones", orders.Select(o => o.Contact.Phone)));
        command.Parameters.AddWithValue("created_ats", orders.Select(o => o.CreatedAt.UtcDateTime).ToArray());
        command.Parameters.AddWithValue("expires_ats", orders.Select(o => o.ExpiresAt.UtcDateTime).ToArray());
        command.Parameters.Add(Texts("payment_intent_ids", orders.Select(o => o.PaymentIntentId)));
        command.Parameters.Add(Texts("client_secrets", orders.Select(o => o.ClientSecret)));
        command.Parameters.AddWithValue("item_order_ids", items.Select(i => i.Id).ToArray());
        command.Parameters.AddWithValue("item_tier_ids", items.Select(i => i.Item.TierId).ToArray());
        command.Parameters.AddWithValue("item_hold_ids", items.Select(i => i.Item.HoldId!.Value).ToArray());
        command.Parameters.AddWithValue("item_quantities", items.Select(i => i.Item.Quantity).ToArray());
        command.Parameters.AddWithValue("item_prices", items.Select(i => i.Item.UnitPriceCents).ToArray());
        await command.ExecuteNonQueryAsync();
        return [.. orders.Select(_ => true)];
    }

    private static NpgsqlParameter Texts(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };

    /// <summary>The order's tickets, in tier and sequence order, with their live QR tokens.</summary>
    public async Task<IReadOnlyList<OrderTicket>> TicketsAsync(Guid orderId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT t.id, t.order_id, t.tier_id, t.sequence_number, t.status, k.token
            FROM ticketing.tickets t
            LEFT JOIN ticketing.ticket_tokens k ON k.ticket_id = t.id AND k.status = 'active'
            WHERE t.order_id = @order_id
            ORDER BY t.tier_id, t.sequence_number
            """);
        command.Parameters.AddWithValue("order_id", orderId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tickets = new List<OrderTicket>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new Row(reader);
            tickets.Add(new OrderTicket(
                row.Get<Guid>("id"), row.Get<Guid>("order_id"), row.Get<Guid>("tier_id"), row.Get<int>("sequence_number"), row.Get<string>("status"),
                row.Text("token")));
        }

        return tickets;
    }

    /// <summary>
    /// The newest orders (at most <paramref name="limit"/>) of the
    /// <paramref name="organizations"/>' events whose contact e-mail address is
    /// <paramref name="email"/>, compared without regard to case.
    /// </summary>
    public async Task<IReadOnlyList<OrderMatch>> ByContactEmailAsync(
        string email, IReadOnlyList<string> organizations, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT o.id, o.event_id, e.title, o.status, o.total_cents, o.currency,
                   (SELECT coalesce(sum(i.quantity), 0) FROM ticketing.order_items i WHERE i.order_id = o.id)::integer AS quantity,
                   o.contact_email, o.contact_name, o.created_at, o.paid_at
            FROM ticketing.orders o
            JOIN ticketing.events e ON e.id = o.event_id
            -- lower() on both sides, as orders_contact_email (sql/0021) is built; the
            -- IS NOT NULL lets the planner see that the partial index covers the query
            WHERE lower(o.contact_email) = lower(@email) AND o.contact_email IS NOT NULL
              AND e.organization_id = ANY(@organizations)
            ORDER BY o.created_at DESC, o.id DESC
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("email", email);
        command.Parameters.AddWithValue("organizations", organizations.ToArray());
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var matches = new List<OrderMatch>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new Row(reader);
            matches.Add(new OrderMatch(
                row.Get<Guid>("id"), row.Get<Guid>("event_id"), row.Get<string>("title"), row.Get<string>("status"),
                row.Get<long>("total_cents"), row.Get<string>("currency"), row.Get<int>("quantity"),
                row.Get<string>("contact_email"), row.Text("contact_name"), row.Get<DateTimeOffset>("created_at"), row.OrNull<DateTimeOffset>("paid_at")));
        }

        return matches;
    }

    /// <summary>The orders paying with any of these holds.</summary>
    public async Task<IReadOnlyList<Guid>> OrdersHoldingAsync(IReadOnlyList<Guid> holdIds, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT DISTINCT order_id FROM ticketing.order_items WHERE hold_id = ANY(@hold_ids)");
        command.Parameters.AddWithValue("hold_ids", holdIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(new Row(reader).Get<Guid>("order_id"));
        }

        return ids;
    }

    /// <summary>
    /// Notes a payment that named this order, which does not exist (sql/0016).
    /// A repeat keeps the first note, and adds the refund when the first had none.
    /// </summary>
    public async Task NotePaymentWithoutOrderAsync(Guid orderId, PaymentEvent payment, string? refundId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.payments_without_order (payment_intent_id, order_id, event_id, amount_cents, currency, refund_id)
            VALUES (@payment_intent_id, @order_id, @event_id, @amount_cents, @currency, @refund_id)
            ON CONFLICT (payment_intent_id) DO UPDATE
                SET refund_id = coalesce(payments_without_order.refund_id, excluded.refund_id)
            """);
        command.Parameters.AddWithValue("payment_intent_id", payment.PaymentIntentId);
        command.Parameters.AddWithValue("order_id", orderId);
        command.Parameters.AddWithValue("event_id", payment.EventId);
        command.Parameters.AddWithValue("amount_cents", payment.AmountCents);
        command.Parameters.AddWithValue("currency", payment.Currency);
        command.Parameters.Add(new NpgsqlParameter("refund_id", NpgsqlDbType.Text) { Value = (object?)refundId ?? DBNull.Value });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<Guid?> FindByPaymentIntentAsync(string paymentIntentId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT id FROM ticketing.orders WHERE stripe_payment_intent_id = @id");
        command.Parameters.AddWithValue("id", paymentIntentId);
        return await command.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

    /// <summary>
    /// Orders that still owe something: unpaid past their deadline, paid but
    /// not yet issued, unfulfillable but not yet refunded.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> OwingWorkAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            SELECT id FROM ticketing.orders
            WHERE (status IN ('awaiting_payment', 'payment_failed') AND expires_at <= @now)
               OR status = 'paid'
               OR (status = 'unfulfillable' AND automatic_refund_id IS NULL)
            ORDER BY expires_at
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(new Row(reader).Get<Guid>("id"));
        }

        return ids;
    }

    /// <summary>The current row's columns, read by name.</summary>
    private readonly record struct Row(NpgsqlDataReader Reader)
    {
        public T Get<T>(string column) => Reader.GetFieldValue<T>(Reader.GetOrdinal(column));

        public string? Text(string column) => Reader.IsDBNull(Reader.GetOrdinal(column)) ? null : Get<string>(column);

        public T? OrNull<T>(string column)
            where T : struct => Reader.IsDBNull(Reader.GetOrdinal(column)) ? null : Get<T>(column);
    }
}
