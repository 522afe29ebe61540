using Npgsql;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// The database is the backstop: each rule refuses a write that breaks it,
/// even one made with plain SQL behind the product's back.
/// </summary>
public sealed class SchemaConstraintTests : IAsyncLifetime
{
    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid TierId = Guid.NewGuid();
    private static readonly Guid OrderId = Guid.NewGuid();
    private static readonly Guid TicketId = Guid.NewGuid();
    private static readonly Guid HoldId = Guid.NewGuid();
    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        await Execute($"""
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES ('{EventId}', 'org', 'Gig', now() + interval '30 days', 'org');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, reserved_quantity, issued_quantity)
                VALUES ('{TierId}', '{EventId}', 'GA', 5000, 'eur', 10, 2, 7);
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, stripe_payment_intent_id, paid_at)
                VALUES ('{OrderId}', '{EventId}', 'buyer-1', 'fulfilled', 5000, 'eur', 'pi_1', now());
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, status, expires_at, ended_at, order_id)
                VALUES ('{HoldId}', '{TierId}', 'buyer-1', 1, 'consumed', now(), now(), '{OrderId}');
            INSERT INTO ticketing.order_items (order_id, tier_id, hold_id, quantity, unit_price_cents) VALUES ('{OrderId}', '{TierId}', '{HoldId}', 1, 5000);
            INSERT INTO ticketing.tickets (id, order_id, tier_id, sequence_number) VALUES ('{TicketId}', '{OrderId}', '{TierId}', 1);
            INSERT INTO ticketing.ticket_tokens (token, ticket_id) VALUES ('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '{TicketId}');
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at) VALUES (gen_random_uuid(), '{TierId}', 'buyer-1', 2, now() + interval '15 minutes');
            INSERT INTO ticketing.stripe_events (event_id, type, payload) VALUES ('evt_1', 'payment_intent.succeeded', '{"{}"}');
            """);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Theory]
    [InlineData("UPDATE ticketing.ticket_tiers SET reserved_quantity = 4", "ticket_tiers_committed_within_quantity")]
    [InlineData("UPDATE ticketing.ticket_tiers SET issued_quantity = 11, reserved_quantity = 0", "ticket_tiers_issued_within_quantity|ticket_tiers_committed_within_quantity")]
    [InlineData("UPDATE ticketing.ticket_tiers SET reserved_quantity = -1", "ticket_tiers_reserved_non_negative")]
    [InlineData("UPDATE ticketing.ticket_tiers SET issued_quantity = -1", "ticket_tiers_issued_non_negative")]
    [InlineData("UPDATE ticketing.ticket_tiers SET quantity = -1, reserved_quantity = 0, issued_quantity = 0", "ticket_tiers_quantity_non_negative|ticket_tiers_committed_within_quantity")]
    [InlineData("UPDATE ticketing.ticket_tiers SET price_cents = -1", "ticket_tiers_price_non_negative")]
    [InlineData("UPDATE ticketing.ticket_tiers SET currency = 'EUR'", "ticket_tiers_currency_iso")]
    [InlineData("UPDATE ticketing.ticket_holds SET quantity = 0", "ticket_holds_quantity_positive")]
    [InlineData("UPDATE ticketing.ticket_holds SET status = 'ghost', ended_at = now()", "ticket_holds_status_known")]
    [InlineData("UPDATE ticketing.ticket_holds SET status = 'expired'", "ticket_holds_ended_when_not_active")]
    [InlineData("UPDATE ticketing.orders SET status = 'lost'", "orders_status_known")]
    [InlineData("UPDATE ticketing.orders SET paid_at = NULL", "orders_paid_has_payment")]
    [InlineData("UPDATE ticketing.orders SET total_cents = -5", "orders_total_non_negative")]
    [InlineData("UPDATE ticketing.tickets SET sequence_number = 0", "tickets_sequence_positive")]
    [InlineData("UPDATE ticketing.tickets SET status = 'used'", "tickets_status_known")]
    [InlineData("UPDATE ticketing.ticket_tokens SET token = 'short'", "ticket_tokens_long_enough")]
    [InlineData("UPDATE ticketing.ticket_tokens SET scan_count = -1", "ticket_tokens_scan_count_non_negative")]
    [InlineData("UPDATE ticketing.stripe_events SET status = 'maybe'", "stripe_events_status_known")]
    [InlineData("UPDATE ticketing.orders SET amount_paid_cents = 5000, amount_refunded_cents = 6000", "orders_refund_within_payment")]
    [InlineData("UPDATE ticketing.orders SET amount_refunded_cents = -1", "orders_refund_within_payment")]
    [InlineData("UPDATE ticketing.orders SET dispute = 'maybe'", "orders_dispute_known")]
    public async Task Check_WhenViolated_RefusesTheWrite(string sql, string constraints)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(sql));

        // Where one write breaks two rules at once, PostgreSQL names either.
        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Contains(error.ConstraintName, constraints.Split('|'));
    }

    [Theory]
    [InlineData("INSERT INTO ticketing.tickets (id, order_id, tier_id, sequence_number) VALUES (gen_random_uuid(), '{order}', '{tier}', 1)", "tickets_order_tier_sequence")]
    [InlineData("INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at) VALUES (gen_random_uuid(), '{tier}', 'buyer-1', 1, now())", "ticket_holds_one_active_per_user_tier")]
    [InlineData("INSERT INTO ticketing.ticket_tokens (token, ticket_id, status, revoked_at) VALUES ('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '{ticket}', 'revoked', now())", "ticket_tokens_pkey")]
    [InlineData("INSERT INTO ticketing.ticket_tokens (token, ticket_id) VALUES ('BBBBBBBBBBBBBBBBBBBBBBBBBBBBBB', '{ticket}')", "ticket_tokens_one_active_per_ticket")]
    [InlineData("INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, stripe_payment_intent_id) VALUES (gen_random_uuid(), '{event}', 'b', 'awaiting_payment', 1, 'eur', 'pi_1')", "orders_stripe_payment_intent_id")]
    [InlineData("INSERT INTO ticketing.stripe_events (event_id, type, payload) VALUES ('evt_1', 'payment_intent.succeeded', '{}')", "stripe_events_pkey")]
    [InlineData(
        "INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency) VALUES ('{other}', '{event}', 'buyer-1', 'awaiting_payment', 1, 'eur');" +
        "INSERT INTO ticketing.order_items (order_id, tier_id, hold_id, quantity, unit_price_cents) VALUES ('{other}', '{tier}', '{hold}', 1, 1)",
        "order_items_one_order_per_hold")]
    public async Task Unique_WhenDuplicated_RefusesTheWrite(string sql, string constraint)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(Fill(sql)));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal(constraint, error.ConstraintName);
    }

    [Theory]
    [InlineData("UPDATE ticketing.order_items SET quantity = 2; UPDATE ticketing.orders SET status = 'fulfilled'")]
    [InlineData("UPDATE ticketing.orders SET status = 'refunded'; INSERT INTO ticketing.tickets (id, order_id, tier_id, sequence_number) VALUES (gen_random_uuid(), '{order}', '{tier}', 2)")]
    public async Task FulfilledOrder_WithoutExactlyItsTickets_IsRefusedAtCommit(string sql)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(Fill(sql)));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Contains("tickets for", error.MessageText, StringComparison.Ordinal);
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM ticketing.tickets"));
    }

    [Fact]
    public async Task OneActiveHold_WhenTheFirstHasEnded_AllowsANewOne()
    {
        await Execute("UPDATE ticketing.ticket_holds SET status = 'released', ended_at = now() WHERE status = 'active'");

        await Execute(Fill("INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at) VALUES (gen_random_uuid(), '{tier}', 'buyer-1', 1, now())"));

        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_holds WHERE status = 'active'"));
    }

    [Theory]
    [InlineData("INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity) VALUES (gen_random_uuid(), gen_random_uuid(), 'x', 1, 'eur', 1)", "ticket_tiers_event_fk")]
    [InlineData("INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'b', 1, now())", "ticket_holds_tier_fk")]
    [InlineData("INSERT INTO ticketing.tickets (id, order_id, tier_id, sequence_number) VALUES (gen_random_uuid(), gen_random_uuid(), '{tier}', 1)", "tickets_order_fk")]
    [InlineData("INSERT INTO ticketing.ticket_tokens (token, ticket_id) VALUES ('CCCCCCCCCCCCCCCCCCCCCCCCCCCCCC', gen_random_uuid())", "ticket_tokens_ticket_fk")]
    [InlineData("INSERT INTO ticketing.order_items (order_id, tier_id, quantity, unit_price_cents) VALUES ('{order}', gen_random_uuid(), 1, 1)", "order_items_tier_fk")]
    public async Task ForeignKey_WhenDangling_RefusesTheWrite(string sql, string constraint)
    {
        var error = await Assert.ThrowsAsync<PostgresException>(() => Execute(Fill(sql)));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        Assert.Equal(constraint, error.ConstraintName);
    }

    [Fact]
    public async Task Invariants_AreAllValidated()
    {
        var notValidated = await database.ScalarAsync(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'ticketing' AND NOT c.convalidated");

        Assert.Equal(0L, notValidated);
    }

    private static string Fill(string sql) => sql
        .Replace("{order}", OrderId.ToString(), StringComparison.Ordinal)
        .Replace("{tier}", TierId.ToString(), StringComparison.Ordinal)
        .Replace("{ticket}", TicketId.ToString(), StringComparison.Ordinal)
        .Replace("{event}", EventId.ToString(), StringComparison.Ordinal)
        .Replace("{hold}", HoldId.ToString(), StringComparison.Ordinal)
        .Replace("{other}", Guid.NewGuid().ToString(), StringComparison.Ordinal);

    private async Task Execute(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
