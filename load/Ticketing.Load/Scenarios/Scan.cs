using System.Net;
using System.Security.Cryptography;
using Npgsql;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// A busy venue: gates scanning the codes of many issued tickets, as people
/// arrive. Nine scans in ten are a code's first (an admission, a durable
/// write); one in ten scans again a code already admitted. The tickets are
/// written straight into the database beforehand (fulfilled orders of four),
/// so the run measures the gate, not the checkout. The virtual users act as
/// many scanning devices in turn (<see cref="Identities{T}"/>), each within
/// the silo's limit per scanner.
/// </summary>
public static class Scan
{
    public static async Task<RunResult> RunAsync(TicketingApi api, LoadShape shape, int tickets, string connectionString, CpuAccount? cpu)
    {
        var tierId = await api.CreateTierAsync("Venue", capacity: tickets);
        var (eventId, tokens) = await IssueAsync(connectionString, tierId, tickets);
        var arrived = -1;
        var devices = new Identities<string>(SiloLimits.Rest((SiloLimits.Scans, 1)), device => $"gate-{device}");
        var result = await LoadRun.RunAsync($"scan: {tickets} tickets, first scans and 1 in 10 again", shape, (user, cancellationToken) => devices.RunAsync(async device =>
        {
            var next = Interlocked.Increment(ref arrived);
            var token = next % 10 == 9 && next > 0
                ? tokens[Random.Shared.Next(Math.Min(next, tokens.Length))]
                : tokens[next % tokens.Length];
            var (status, failure) = await api.SendLeanAsync(HttpMethod.Post, "/api/scans", device, "scanner",
                new { token, eventId, gate = $"gate-{user % 20}" }, cancellationToken);
            return status == HttpStatusCode.OK ? StepOutcome.Success : StepOutcome.Failed(failure ?? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }), cpu);
        return result with { Identities = devices.Count };
    }

    /// <summary>The cost floor of the same requests: an authenticated read answered by one grain call, no database.</summary>
    public static async Task<RunResult> ReferenceAsync(TicketingApi api, LoadShape shape, CpuAccount? cpu)
    {
        var tierId = await api.CreateTierAsync("Reference", capacity: 10);
        // The catalogue is limited per user when the request carries a token, as these do.
        var devices = new Identities<string>(SiloLimits.Rest((SiloLimits.Anonymous, 1)), device => $"gate-{device}");
        var result = await LoadRun.RunAsync("reference: GET /api/tiers/{id} (auth + one grain call)", shape, (_, cancellationToken) => devices.RunAsync(async device =>
        {
            var (status, failure) = await api.SendLeanAsync(HttpMethod.Get, $"/api/tiers/{tierId}", device, "scanner", null, cancellationToken);
            return status == HttpStatusCode.OK ? StepOutcome.Success : StepOutcome.Failed(failure ?? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }), cpu);
        return result with { Identities = devices.Count };
    }

    private static async Task<(Guid EventId, string[] Tokens)> IssueAsync(string connectionString, Guid tierId, int count)
    {
        // Sold as buyers buy, days before the gates open: orders of up to four tickets, each fulfilled.
        const int TicketsPerOrder = 4;
        var ticketIds = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToArray();
        var orderIds = Enumerable.Range(0, (count + TicketsPerOrder - 1) / TicketsPerOrder).Select(_ => Guid.CreateVersion7()).ToArray();
        var quantities = orderIds.Select((_, i) => Math.Min(TicketsPerOrder, count - (i * TicketsPerOrder))).ToArray();
        var ticketOrders = ticketIds.Select((_, i) => orderIds[i / TicketsPerOrder]).ToArray();
        var sequences = ticketIds.Select((_, i) => (i % TicketsPerOrder) + 1).ToArray();
        var tokens = ticketIds.Select(_ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_')).ToArray();
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var batch = database.CreateBatch();
        batch.Timeout = 300;
        batch.BatchCommands.Add(Command(
            """
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, stripe_payment_intent_id, paid_at, amount_paid_cents, expires_at, created_at, updated_at)
            SELECT o.id, t.event_id, 'venue-buyer-' || o.n, 'fulfilled', t.price_cents * o.quantity, t.currency, 'pi_bench_' || o.id::text,
                   now() - interval '3 days', t.price_cents * o.quantity, now() - interval '3 days', now() - interval '3 days', now() - interval '3 days'
            FROM unnest(@order_ids, @quantities) WITH ORDINALITY AS o(id, quantity, n), ticketing.ticket_tiers t
            WHERE t.id = @tier_id
            """, ("order_ids", orderIds), ("quantities", quantities), ("tier_id", tierId)));
        batch.BatchCommands.Add(Command(
            """
            INSERT INTO ticketing.order_items (order_id, tier_id, quantity, unit_price_cents)
            SELECT o.id, t.id, o.quantity, t.price_cents
            FROM unnest(@order_ids, @quantities) AS o(id, quantity), ticketing.ticket_tiers t
            WHERE t.id = @tier_id
            """, ("order_ids", orderIds), ("quantities", quantities), ("tier_id", tierId)));
        batch.BatchCommands.Add(Command(
            """
            INSERT INTO ticketing.tickets (id, order_id, tier_id, sequence_number)
            SELECT id, order_id, @tier_id, sequence_number FROM unnest(@ids, @order_ids, @sequences) AS t(id, order_id, sequence_number)
            """, ("ids", ticketIds), ("order_ids", ticketOrders), ("sequences", sequences), ("tier_id", tierId)));
        batch.BatchCommands.Add(Command(
            "INSERT INTO ticketing.ticket_tokens (token, ticket_id) SELECT * FROM unnest(@tokens, @ids)",
            ("tokens", tokens), ("ids", ticketIds)));
        batch.BatchCommands.Add(Command(
            "UPDATE ticketing.ticket_tiers SET issued_quantity = @count, version = version + 1 WHERE id = @tier_id",
            ("tier_id", tierId), ("count", count)));
        await batch.ExecuteNonQueryAsync();

        // The tickets were sold days before the gates open: their rows are
        // vacuumed and checkpointed, not a gigabyte of WAL still to flush while
        // the gates are measured.
        foreach (var statement in new[] { "VACUUM (ANALYZE) ticketing.orders", "VACUUM (ANALYZE) ticketing.order_items", "VACUUM (ANALYZE) ticketing.tickets", "VACUUM (ANALYZE) ticketing.ticket_tokens", "CHECKPOINT" })
        {
            await using var tidy = database.CreateCommand(statement);
            tidy.CommandTimeout = 300;
            await tidy.ExecuteNonQueryAsync();
        }

        return (await EventOf(database, tierId), tokens);
    }

    private static async Task<Guid> EventOf(NpgsqlDataSource database, Guid tierId)
    {
        await using var command = database.CreateCommand("SELECT event_id FROM ticketing.ticket_tiers WHERE id = @tier_id");
        command.Parameters.AddWithValue("tier_id", tierId);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
