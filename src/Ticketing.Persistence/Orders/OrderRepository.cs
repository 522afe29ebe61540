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

        var order = new OrderState(
            orderId,
            EventId: reader.GetGuid(0),
            UserId: reader.GetString(1),
            Status: OrderStatusNames.Parse(reader.GetString(2)),
            Items: [],
            TotalCents: reader.GetInt64(3),
            Currency: reader.GetString(4),
            // Anonymized (retention) or legacy orders keep no contact details.
            Contact: new OrderContact(reader.IsDBNull(5) ? "" : reader.GetString(5), reader.IsDBNull(6) ? "" : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)),
            CreatedAt: reader.GetFieldValue<DateTimeOffset>(8),
            ExpiresAt: reader.IsDBNull(9) ? reader.GetFieldValue<DateTimeOffset>(8) : reader.GetFieldValue<DateTimeOffset>(9),
            PaymentIntentId: reader.IsDBNull(10) ? null : reader.GetString(10),
            ClientSecret: reader.IsDBNull(11) ? null : reader.GetString(11),
            ChargeId: reader.IsDBNull(12) ? null : reader.GetString(12),
            AmountPaidCents: reader.IsDBNull(13) ? null : reader.GetInt64(13),
            PaidAt: reader.IsDBNull(14) ? null : reader.GetFieldValue<DateTimeOffset>(14),
            RefundedCents: reader.GetInt64(15),
            Dispute: reader.IsDBNull(16) ? DisputeState.None : Enum.Parse<DisputeState>(reader.GetString(16), ignoreCase: true),
            AutomaticRefundId: reader.IsDBNull(17) ? null : reader.GetString(17),
            RefundRequests: JsonSerializer.Deserialize<List<RefundRequest>>(reader.GetString(18), Json),
            StatusReason: reader.IsDBNull(19) ? null : reader.GetString(19));
        var version = reader.GetInt64(20);

        await reader.NextResultAsync(cancellationToken);
        var items = new List<OrderItem>();
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new OrderItem(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetGuid(1), reader.GetInt32(2), reader.GetInt64(3)));
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

    /// <summary>One order's save in a transaction of its own; false when its row is no longer at the expected version.</summary>
    private async Task<bool> SaveAloneAsync(Save save)
    {
        var (order, expectedVersion, action, refundRequests) = save;
        await using var batch = database.CreateBatch();
        var update = new NpgsqlBatchCommand(
            """
            WITH saved AS (
                UPDATE ticketing.orders
                SET status = @status, stripe_payment_intent_id = @payment_intent_id, stripe_client_secret = @client_secret,
                    stripe_charge_id = @charge_id, amount_paid_cents = @amount_paid, paid_at = @paid_at,
                    amount_refunded_cents = @refunded, dispute = @dispute, automatic_refund_id = @automatic_refund_id,
                    refund_requests = @refund_requests::jsonb, status_reason = @status_reason,
                    version = version + 1, updated_at = now()
                WHERE id = @id AND version = @expected_version
                RETURNING 1)
            SELECT ticketing.expect_rows((SELECT count(*) FROM saved), 1, 'order at the expected version')
            """);
        update.Parameters.AddWithValue("id", order.Id);
        update.Parameters.AddWithValue("expected_version", expectedVersion);
        update.Parameters.AddWithValue("status", order.Status.Name());
        update.Parameters.Add(Text("payment_intent_id", order.PaymentIntentId));
        update.Parameters.Add(Text("client_secret", order.ClientSecret));
        update.Parameters.Add(Text("charge_id", order.ChargeId));
        update.Parameters.Add(new NpgsqlParameter("amount_paid", NpgsqlDbType.Bigint) { Value = (object?)order.AmountPaidCents ?? DBNull.Value });
        update.Parameters.Add(new NpgsqlParameter("paid_at", NpgsqlDbType.TimestampTz) { Value = (object?)order.PaidAt?.UtcDateTime ?? DBNull.Value });
        update.Parameters.AddWithValue("refunded", order.RefundedCents);
        update.Parameters.Add(Text("dispute", order.Dispute == DisputeState.None ? null : order.Dispute.ToString().ToLowerInvariant()));
        update.Parameters.Add(Text("automatic_refund_id", order.AutomaticRefundId));
        update.Parameters.AddWithValue("refund_requests", refundRequests);
        update.Parameters.Add(Text("status_reason", order.StatusReason));
        batch.BatchCommands.Add(update);

        if (order.Status is OrderStatus.Cancelled or OrderStatus.Expired)
        {
            // An order that will never be paid lets go of its holds, so the
            // buyer can check out again with those still live.
            var letGo = new NpgsqlBatchCommand("UPDATE ticketing.order_items SET hold_id = NULL WHERE order_id = @id AND hold_id IS NOT NULL");
            letGo.Parameters.AddWithValue("id", order.Id);
            batch.BatchCommands.Add(letGo);
        }

        batch.BatchCommands.Add(Audit(order, action));
        try
        {
            await batch.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException stale) when (stale.SqlState == PostgresErrorCodes.SerializationFailure)
        {
            return false;
        }
    }

    /// <summary>Many orders' saves in one statement; answers, in order, whether each row was still at its expected version.</summary>
    private async Task<IReadOnlyList<bool>> SaveTogetherAsync(IReadOnlyList<Save> batch)
    {
        await using var command = database.CreateCommand(
            """
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
            -- an order that will never be paid lets go of its holds
            let_go AS (
                UPDATE ticketing.order_items i SET hold_id = NULL
                FROM saved
                WHERE i.order_id = saved.id AND saved.status IN ('cancelled', 'expired') AND i.hold_id IS NOT NULL),
            audited AS (
                INSERT INTO ticketing.audit_log (actor, entity, entity_id, action, data)
                SELECT 'order-grain', 'order', s.id::text, s.action, jsonb_build_object('status', s.status, 'reason', s.status_reason)
                FROM s JOIN saved ON saved.id = s.id)
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
            saved.Add(reader.GetGuid(0));
        }

        return [.. batch.Select(b => saved.Contains(b.Order.Id))];
    }

    /// <summary>Many new orders in one statement, with their items and audit entries; a hold already taken or no longer live fails the lot.</summary>
    private async Task<IReadOnlyList<bool>> InsertTogetherAsync(IReadOnlyList<OrderState> orders)
    {
        var items = orders.SelectMany(o => o.Items.Select(i => (o.Id, Item: i))).ToList();
        await using var command = database.CreateCommand(
            """
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
            audited AS (
                INSERT INTO ticketing.audit_log (actor, entity, entity_id, action, data)
                SELECT 'order-grain', 'order', id::text, 'order_placed', jsonb_build_object('status', status, 'reason', NULL::text)
                FROM placed)
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
            tickets.Add(new OrderTicket(
                reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetInt32(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return tickets;
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
            ids.Add(reader.GetGuid(0));
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
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static NpgsqlBatchCommand Audit(OrderState order, string action)
    {
        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO ticketing.audit_log (actor, entity, entity_id, action, data)
            VALUES ('order-grain', 'order', @order_id, @action, jsonb_build_object('status', @status::text, 'reason', @reason::text))
            """);
        command.Parameters.AddWithValue("order_id", order.Id.ToString());
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("status", order.Status.Name());
        command.Parameters.Add(Text("reason", order.StatusReason));
        return command;
    }

    private static NpgsqlParameter Text(string name, string? value) => new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };
}
