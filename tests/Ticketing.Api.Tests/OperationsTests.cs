using System.Net;
using System.Text.Json;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// Alerts, readiness, reconciliation and retention, each on its own database
/// broken behind the product's back with SQL, as an incident would.
/// </summary>
public sealed class OperationsTests
{
    private static readonly string[] AlertNames =
        ["paid_orders_missing_tickets", "negative_ticket_availability", "ghost_reservations_high", "hold_expiry_lagging", "revenue_mismatch", "payment_without_order", "onsale_queue_stalled"];

    [Fact]
    public async Task Alerts_OnAHealthyDatabase_AreQuiet_AndReadinessIsReady()
    {
        await using var ops = await Ops.StartAsync();
        var (tierId, orderId) = await ops.SoldTicketAsync();

        var alerts = await ops.AlertsAsync();

        Assert.Equal(AlertNames, alerts.Select(a => a.GetProperty("name").GetString()));
        Assert.All(alerts, a =>
        {
            Assert.False(a.GetProperty("firing").GetBoolean(), a.ToString());
            Assert.Equal($"docs/runbook.md#{a.GetProperty("name").GetString()}", a.GetProperty("runbook").GetString());
        });
        var readiness = await ops.ReadinessAsync(tierId);
        Assert.Equal("ready", readiness.GetProperty("status").GetString());
        Assert.Equal(1, readiness.GetProperty("totals").GetProperty("sold").GetInt32());
        Assert.True(readiness.GetProperty("checks").GetProperty("noPaidWithoutTickets").GetBoolean());
        _ = orderId;
    }

    [Fact]
    public async Task PaymentWithoutOrder_CountsTheNotesOfTheLastDay()
    {
        await using var ops = await Ops.StartAsync();
        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.payments_without_order (payment_intent_id, order_id, event_id, amount_cents, currency, refund_id, noticed_at)
            VALUES ('pi_last_week', gen_random_uuid(), 'evt_last_week', 2500, 'eur', 're_last_week', now() - interval '7 days')
            """);
        Assert.False((await ops.AlertAsync("payment_without_order")).GetProperty("firing").GetBoolean());

        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.payments_without_order (payment_intent_id, order_id, event_id, amount_cents, currency, refund_id)
            VALUES ('pi_just_now', gen_random_uuid(), 'evt_just_now', 2500, 'eur', NULL)
            """);

        var alert = await ops.AlertAsync("payment_without_order");
        Assert.True(alert.GetProperty("firing").GetBoolean());
        Assert.Equal(1, alert.GetProperty("value").GetDouble());
        Assert.Equal("P1", alert.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task OnSaleQueueStalled_FiresOnlyWhenAnOpenQueueWithBuyersWaitingHasAdmittedNobodyForTwoMinutes()
    {
        await using var ops = await Ops.StartAsync();
        var (tierId, _) = await ops.SoldTicketAsync();
        var eventId = (Guid)(await ops.Database.ScalarAsync("SELECT event_id FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)))!;
        var onSaleId = Guid.NewGuid();

        // Scheduled, three buyers waiting: nobody is owed an admission yet.
        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.onsales (event_id, id, opens_at, admit_per_minute, pass_minutes) VALUES (@event, @onsale, now() + interval '1 hour', 60, 10);
            INSERT INTO ticketing.queue_entries (onsale_id, user_id, shard, early, joined_at)
                SELECT @onsale, 'waiting-' || n, n % 8, true, now() - interval '20 minutes' FROM generate_series(1, 3) AS n;
            """, ("event", eventId), ("onsale", onSaleId));
        Assert.False((await ops.AlertAsync("onsale_queue_stalled")).GetProperty("firing").GetBoolean());

        // Open for ten minutes and never opened by its coordinator: stalled since its opening.
        await ops.Database.ScalarAsync("UPDATE ticketing.onsales SET opens_at = now() - interval '10 minutes' WHERE id = @onsale", ("onsale", onSaleId));
        var neverOpened = await ops.AlertAsync("onsale_queue_stalled");
        Assert.True(neverOpened.GetProperty("firing").GetBoolean(), neverOpened.ToString());
        Assert.Equal(1, neverOpened.GetProperty("value").GetDouble());
        Assert.Equal("P1", neverOpened.GetProperty("severity").GetString());

        // Opened, one admitted five minutes ago, two still waiting: stalled.
        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.queue_openings (onsale_id, event_id, seed, opened_at) VALUES (@onsale, @event, decode(repeat('ab', 32), 'hex'), now() - interval '10 minutes');
            INSERT INTO ticketing.queue_admissions (onsale_id, step, frontier_late, frontier_rank, frontier_arrival, admitted_at, admitted_total)
                VALUES (@onsale, 1, false, 0, 0, now() - interval '5 minutes', 1);
            """, ("event", eventId), ("onsale", onSaleId));
        Assert.True((await ops.AlertAsync("onsale_queue_stalled")).GetProperty("firing").GetBoolean());

        // An admission a moment ago: moving again, quiet.
        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.queue_admissions (onsale_id, step, frontier_late, frontier_rank, frontier_arrival, admitted_at, admitted_total)
                VALUES (@onsale, 2, false, 0, 0, now() - interval '10 seconds', 2);
            """, ("onsale", onSaleId));
        Assert.False((await ops.AlertAsync("onsale_queue_stalled")).GetProperty("firing").GetBoolean());

        // Everyone admitted long ago, nobody waiting: quiet however old the last step.
        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.queue_admissions (onsale_id, step, frontier_late, frontier_rank, frontier_arrival, admitted_at, admitted_total)
                VALUES (@onsale, 3, false, 0, 0, now() - interval '9 seconds', 3);
            UPDATE ticketing.queue_admissions SET admitted_at = admitted_at - interval '1 hour' WHERE onsale_id = @onsale;
            """, ("onsale", onSaleId));
        Assert.False((await ops.AlertAsync("onsale_queue_stalled")).GetProperty("firing").GetBoolean());
    }

    [Fact]
    public async Task PaidOrdersMissingTickets_FiresWhenTicketsVanish_AndReadinessIsNotReady()
    {
        await using var ops = await Ops.StartAsync();
        var (tierId, orderId) = await ops.SoldTicketAsync();

        await ops.Database.ScalarAsync(
            """
            DELETE FROM ticketing.ticket_tokens WHERE ticket_id IN (SELECT id FROM ticketing.tickets WHERE order_id = @id);
            DELETE FROM ticketing.tickets WHERE order_id = @id;
            """, ("id", orderId));

        var alert = await ops.AlertAsync("paid_orders_missing_tickets");
        Assert.True(alert.GetProperty("firing").GetBoolean());
        Assert.Equal("P0", alert.GetProperty("severity").GetString());
        Assert.Equal(1, alert.GetProperty("value").GetDouble());
        var readiness = await ops.ReadinessAsync(tierId);
        Assert.Equal("not_ready", readiness.GetProperty("status").GetString());
        Assert.False(readiness.GetProperty("checks").GetProperty("noPaidWithoutTickets").GetBoolean());
    }

    [Fact]
    public async Task PaidOrdersMissingTickets_FiresWhenTicketsVanishFromAnOrderSettledLongAgo_AndReadinessAgrees()
    {
        await using var ops = await Ops.StartAsync();
        var (tierId, orderId) = await ops.SoldTicketAsync();
        await ops.Database.ScalarAsync(
            "UPDATE ticketing.orders SET updated_at = now() - interval '30 days', created_at = now() - interval '30 days' WHERE id = @id", ("id", orderId));
        Assert.False((await ops.AlertAsync("paid_orders_missing_tickets")).GetProperty("firing").GetBoolean());

        await ops.Database.ScalarAsync(
            """
            DELETE FROM ticketing.ticket_tokens WHERE ticket_id IN (SELECT id FROM ticketing.tickets WHERE order_id = @id);
            DELETE FROM ticketing.tickets WHERE order_id = @id;
            """, ("id", orderId));

        Assert.True((await ops.AlertAsync("paid_orders_missing_tickets")).GetProperty("firing").GetBoolean());
        var readiness = await ops.ReadinessAsync(tierId);
        Assert.Equal("not_ready", readiness.GetProperty("status").GetString());
        Assert.False(readiness.GetProperty("checks").GetProperty("noPaidWithoutTickets").GetBoolean());
    }

    [Fact]
    public async Task PaidOrdersMissingTickets_FiresForAnOrderPaidLongAgoWithoutTickets()
    {
        await using var ops = await Ops.StartAsync();
        var tierId = await TierSetup.CreateAsync(ops.App, capacity: 5);
        var orderId = await Issuance.CreateOrderRowAsync(ops.App, tierId, "buyer-stuck");

        await ops.Database.ScalarAsync(
            """
            UPDATE ticketing.orders SET status = 'paid', paid_at = now() - interval '10 minutes',
                stripe_payment_intent_id = 'pi_stuck_' || id::text, amount_paid_cents = 0
            WHERE id = @id
            """, ("id", orderId));

        Assert.True((await ops.AlertAsync("paid_orders_missing_tickets")).GetProperty("firing").GetBoolean());
    }

    [Fact]
    public async Task NegativeAvailability_Fires_AndReadinessComesBackWhenFixed()
    {
        await using var ops = await Ops.StartAsync();
        var tierId = await TierSetup.CreateAsync(ops.App, capacity: 2);
        await ops.ReadinessAsync(tierId);

        // Holds written straight into the table, past the grain: more held than the tier has.
        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
            SELECT gen_random_uuid(), @tier, 'sql-' || n, 2, now() + interval '10 minutes' FROM generate_series(1, 2) n
            """, ("tier", tierId));

        var alert = await ops.AlertAsync("negative_ticket_availability");
        Assert.True(alert.GetProperty("firing").GetBoolean());
        Assert.Equal("P0", alert.GetProperty("severity").GetString());
        Assert.Equal("not_ready", (await ops.ReadinessAsync(tierId)).GetProperty("status").GetString());

        await ops.Database.ScalarAsync("DELETE FROM ticketing.ticket_holds WHERE tier_id = @tier AND user_id LIKE 'sql-%'", ("tier", tierId));

        Assert.False((await ops.AlertAsync("negative_ticket_availability")).GetProperty("firing").GetBoolean());
        Assert.Equal("ready", (await ops.ReadinessAsync(tierId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task GhostReservations_FireAbove50_AndReconciliationCorrectsTheCounters()
    {
        await using var ops = await Ops.StartAsync();
        var tierId = await TierSetup.CreateAsync(ops.App, capacity: 100);
        await ops.Database.ScalarAsync("UPDATE ticketing.ticket_tiers SET reserved_quantity = 40 WHERE id = @id", ("id", tierId));
        Assert.False((await ops.AlertAsync("ghost_reservations_high")).GetProperty("firing").GetBoolean());
        Assert.Equal("needs_cleanup", (await ops.ReadinessAsync(tierId)).GetProperty("status").GetString());

        await ops.Database.ScalarAsync("UPDATE ticketing.ticket_tiers SET reserved_quantity = 60 WHERE id = @id", ("id", tierId));

        var alert = await ops.AlertAsync("ghost_reservations_high");
        Assert.True(alert.GetProperty("firing").GetBoolean());
        Assert.Equal(60, alert.GetProperty("value").GetDouble());
        Assert.Equal("P1", alert.GetProperty("severity").GetString());

        var report = await ops.ReconcileAsync();
        Assert.Contains(report.GetProperty("tiers").EnumerateArray(), t => t.GetProperty("tierId").GetGuid() == tierId);
        var reserved = await Eventually.Value(
            () => ops.Database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)),
            value => (int)value! == 0,
            TimeSpan.FromSeconds(10));
        Assert.Equal(0, reserved);
        Assert.False((await ops.AlertAsync("ghost_reservations_high")).GetProperty("firing").GetBoolean());
        Assert.Equal(1L, await ops.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.audit_log WHERE entity_id = @id AND data -> 'changes' @> '[{\"action\": \"counters_corrected\"}]'", ("id", tierId.ToString())));
    }

    [Fact]
    public async Task HoldExpiryLagging_FiresForAHoldNobodyFreed_AndReconciliationFreesIt()
    {
        await using var ops = await Ops.StartAsync();
        var tierId = await TierSetup.CreateAsync(ops.App, capacity: 10);
        await ops.Database.ScalarAsync(
            """
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
            VALUES (gen_random_uuid(), @tier, 'forgotten', 3, now() - interval '2 minutes');
            UPDATE ticketing.ticket_tiers SET reserved_quantity = 3 WHERE id = @tier;
            """, ("tier", tierId));

        var alert = await ops.AlertAsync("hold_expiry_lagging");
        Assert.True(alert.GetProperty("firing").GetBoolean());
        Assert.Equal("P1", alert.GetProperty("severity").GetString());

        await ops.ReconcileAsync();

        var status = await Eventually.Value(
            () => ops.Database.ScalarAsync("SELECT status FROM ticketing.ticket_holds WHERE tier_id = @tier AND user_id = 'forgotten'", ("tier", tierId)),
            value => (string?)value == "expired",
            TimeSpan.FromSeconds(10));
        Assert.Equal("expired", status);
        Assert.False((await ops.AlertAsync("hold_expiry_lagging")).GetProperty("firing").GetBoolean());
    }

    [Fact]
    public async Task Reconciliation_FindsAPlantedRevenueMismatch_WithStripesRecords()
    {
        await using var ops = await Ops.StartAsync();
        var (_, orderId) = await ops.SoldTicketAsync();
        var clean = await ops.ReconcileAsync();
        Assert.Equal(0, clean.GetProperty("revenue").GetProperty("differenceCents").GetInt64());
        Assert.Equal(1, clean.GetProperty("revenue").GetProperty("orders").GetInt32());

        // The order now claims $600 more than Stripe ever took.
        await ops.Database.ScalarAsync("UPDATE ticketing.orders SET amount_paid_cents = amount_paid_cents + 60000 WHERE id = @id", ("id", orderId));

        var report = await ops.ReconcileAsync();
        var revenue = report.GetProperty("revenue");
        Assert.Equal(60000, revenue.GetProperty("differenceCents").GetInt64());
        var mismatch = Assert.Single(revenue.GetProperty("mismatches").EnumerateArray());
        Assert.Equal(orderId, mismatch.GetProperty("orderId").GetGuid());
        Assert.Equal(mismatch.GetProperty("orderCents").GetInt64() - 60000, mismatch.GetProperty("stripeCents").GetInt64());
        var alert = await ops.AlertAsync("revenue_mismatch");
        Assert.True(alert.GetProperty("firing").GetBoolean());
        Assert.Equal("P2", alert.GetProperty("severity").GetString());
        var latest = await (await ops.App.Operator().GetAsync("/api/ops/reconciliation/latest")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(60000, latest.GetProperty("revenue").GetProperty("differenceCents").GetInt64());
    }

    [Fact]
    public async Task Retention_AnonymizesOldOrders_KeepingMoneyAndTickets()
    {
        await using var ops = await Ops.StartAsync();
        var (_, oldOrder) = await ops.SoldTicketAsync("buyer-old");
        var (_, newOrder) = await ops.SoldTicketAsync("buyer-new");
        await ops.Database.ScalarAsync("UPDATE ticketing.orders SET created_at = now() - interval '4 years' WHERE id = @id", ("id", oldOrder));
        var totalBefore = await ops.Database.ScalarAsync("SELECT sum(total_cents) FROM ticketing.orders");

        var anonymized = await ops.App.Grains().GetGrain<Ticketing.Abstractions.Operations.IRetentionGrain>(0).Apply();
        var again = await ops.App.Grains().GetGrain<Ticketing.Abstractions.Operations.IRetentionGrain>(0).Apply();

        Assert.Equal(1, anonymized);
        Assert.Equal(0, again);
        Assert.Equal(totalBefore, await ops.Database.ScalarAsync("SELECT sum(total_cents) FROM ticketing.orders"));
        Assert.Equal(DBNull.Value, await ops.Database.ScalarAsync("SELECT contact_email FROM ticketing.orders WHERE id = @id", ("id", oldOrder)));
        Assert.Equal("buyer@example.com", await ops.Database.ScalarAsync("SELECT contact_email FROM ticketing.orders WHERE id = @id", ("id", newOrder)));
        Assert.Equal(1L, await ops.Database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE order_id = @id AND status = 'issued'", ("id", oldOrder)));
        Assert.Equal("fulfilled", await ops.Database.ScalarAsync("SELECT status FROM ticketing.orders WHERE id = @id", ("id", oldOrder)));
    }

    [Fact]
    public async Task EraseBuyer_RemovesTheirContactData_Only()
    {
        await using var ops = await Ops.StartAsync();
        await ops.SoldTicketAsync("buyer-erase");
        var (_, kept) = await ops.SoldTicketAsync("buyer-keep");

        var erased = await (await ops.App.Operator().PostAsync("/api/ops/buyers/buyer-erase/erase", null)).AssertJson(HttpStatusCode.OK);

        Assert.Equal(1, erased.GetProperty("ordersAnonymized").GetInt32());
        Assert.Equal(0L, await ops.Database.ScalarAsync("SELECT count(*) FROM ticketing.orders WHERE user_id = 'buyer-erase' OR contact_name IS NULL AND id = @id", ("id", kept)));
        Assert.Equal(1L, await ops.Database.ScalarAsync("SELECT count(*) FROM ticketing.orders WHERE anonymized_at IS NOT NULL AND contact_email IS NULL"));
        await (await ops.App.Buyer("buyer-erase").PostAsync("/api/ops/buyers/buyer-keep/erase", null)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Readiness_OfAnEventWithoutTiers_IsNoTiers()
    {
        await using var ops = await Ops.StartAsync();
        var created = await (await ops.App.Organizer().PostJson("/api/events", new { title = "Empty", startsAt = "2031-06-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);
        var eventId = created.GetProperty("id").GetGuid();

        var readiness = await (await ops.App.Organizer().GetAsync($"/api/ops/readiness?eventId={eventId}")).AssertJson(HttpStatusCode.OK);

        var only = Assert.Single(readiness.EnumerateArray());
        Assert.Equal("no_tiers", only.GetProperty("status").GetString());
        Assert.False(only.GetProperty("checks").GetProperty("hasTiers").GetBoolean());
    }

    [Fact]
    public async Task Metrics_AreServedForPrometheus()
    {
        await using var ops = await Ops.StartAsync();
        await ops.SoldTicketAsync();
        await ops.AlertsAsync();

        var text = await ops.App.CreateClient().GetStringAsync("/metrics");

        Assert.Contains("ticketing_paid_orders_missing_tickets", text, StringComparison.Ordinal);
        Assert.Contains("ticketing_revenue_mismatch_cents", text, StringComparison.Ordinal);
        Assert.Contains("holds_placed_total", text, StringComparison.Ordinal);
        Assert.Contains("orders_fulfilled_total", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        // The labels the SLO rules select on.
        Assert.Matches("http_server_request_duration_seconds_bucket\\{[^}]*http_request_method=\"POST\"[^}]*http_response_status_code=\"201\"[^}]*http_route=\"/api/holds/\"", text);
        // Which service, and the runtime's and Orleans' own meters beside the product's.
        Assert.Matches("target_info\\{[^}]*service_name=\"ticketing-api\"", text);
        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal);
        Assert.Contains("orleans_", text, StringComparison.Ordinal);
    }

    /// <summary>A silo on a database of its own, as the organiser sees it.</summary>
    private sealed class Ops : IAsyncDisposable
    {
        private Ops(TestDatabase database, TicketingApp app)
        {
            Database = database;
            App = app;
        }

        public TestDatabase Database { get; }

        public TicketingApp App { get; }

        public static async Task<Ops> StartAsync()
        {
            var database = await TestDatabase.CreateAsync();
            return new Ops(database, new TicketingApp(database).Start());
        }

        public async Task<(Guid TierId, Guid OrderId)> SoldTicketAsync(string buyer = "buyer-ops")
        {
            var tierId = await TierSetup.CreateAsync(App, capacity: 10);
            return (tierId, await App.PaidOrderAsync(App.Buyer(buyer), tierId, 1));
        }

        public async Task<JsonElement[]> AlertsAsync() =>
            [.. (await (await App.Operator().GetAsync("/api/ops/alerts")).AssertJson(HttpStatusCode.OK)).EnumerateArray()];

        public async Task<JsonElement> AlertAsync(string name) => (await AlertsAsync()).Single(a => a.GetProperty("name").GetString() == name);

        /// <summary>
        /// The tier's event's readiness. The event is read from the table, not
        /// through the tier grain: an activation would correct counters a test
        /// wrote past it on its next write, racing the reconciliation under test.
        /// </summary>
        public async Task<JsonElement> ReadinessAsync(Guid tierId)
        {
            var eventId = (Guid)(await Database.ScalarAsync("SELECT event_id FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)))!;
            var readiness = await (await App.Organizer().GetAsync($"/api/ops/readiness?eventId={eventId}")).AssertJson(HttpStatusCode.OK);
            return Assert.Single(readiness.EnumerateArray());
        }

        public async Task<JsonElement> ReconcileAsync() =>
            await (await App.Operator().PostAsync("/api/ops/reconciliation", null)).AssertJson(HttpStatusCode.OK);

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
