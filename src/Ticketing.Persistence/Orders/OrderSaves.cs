using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Ticketing.Abstractions.Orders;

namespace Ticketing.Persistence.Orders;

/// <summary>
/// Group commit for order grains' saves: the saves of all orders that arrive
/// while a write is running go into the next one, a single statement and
/// transaction for the lot. Each row is written only at the version its grain
/// expects, with its audit entry; a save whose row moved on is answered with
/// <see cref="OrderVersionConflictException"/>, the others are not affected.
/// When the lot fails as a whole (a constraint checked at commit refuses one
/// order), each save is written again on its own, so that only the order at
/// fault gets the error.
/// </summary>
public sealed class OrderSaves : IAsyncDisposable
{
    private const int MostPerWrite = 200;

    private readonly Func<Save, Task> saveAlone;
    private readonly NpgsqlDataSource database;
    private readonly Channel<Save> queue = Channel.CreateUnbounded<Save>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task writer;

    public OrderSaves(NpgsqlDataSource database, Func<Save, Task> saveAlone)
    {
        this.database = database;
        this.saveAlone = saveAlone;
        writer = Task.Run(WriteAll);
    }

    /// <summary>One order's state to write at <c>ExpectedVersion</c>, and the audit entry's action.</summary>
    public sealed record Save(OrderState Order, long ExpectedVersion, string Action, string RefundRequests)
    {
        internal TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public Task WriteAsync(Save save)
    {
        if (!queue.Writer.TryWrite(save))
        {
            save.Written.SetException(new ObjectDisposedException(nameof(OrderSaves)));
        }

        return save.Written.Task;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer;
    }

    private async Task WriteAll()
    {
        var batch = new List<Save>(MostPerWrite);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MostPerWrite && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 1)
            {
                await Alone(batch[0]);
            }
            else
            {
                await Together(batch);
            }

            batch.Clear();
        }
    }

    private async Task Alone(Save save)
    {
        try
        {
            await saveAlone(save);
            save.Written.SetResult();
        }
        catch (Exception failure)
        {
            save.Written.SetException(failure);
        }
    }

    private async Task Together(List<Save> batch)
    {
        HashSet<Guid> saved;
        try
        {
            saved = await WriteTogetherAsync(batch);
        }
        catch (PostgresException)
        {
            await Task.WhenAll(batch.Select(Alone));
            return;
        }
        catch (Exception failure)
        {
            foreach (var save in batch)
            {
                save.Written.SetException(failure);
            }

            return;
        }

        foreach (var save in batch)
        {
            if (saved.Contains(save.Order.Id))
            {
                save.Written.SetResult();
            }
            else
            {
                save.Written.SetException(new OrderVersionConflictException(
                    save.Order.Id, save.ExpectedVersion, new InvalidOperationException("The order's row is no longer at the expected version.")));
            }
        }
    }

    /// <summary>Writes the lot in one statement; answers the orders written (those still at their expected version).</summary>
    private async Task<HashSet<Guid>> WriteTogetherAsync(List<Save> batch)
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

        return saved;
    }

    private static NpgsqlParameter Texts(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.Select(v => (object?)v ?? DBNull.Value).ToArray() };
}
