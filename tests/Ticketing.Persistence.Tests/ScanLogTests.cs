using Ticketing.Persistence.Tickets;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// The gate's one statement: it finds a code's ticket, admits it only when the
/// database agrees, records unknown codes itself, and leaves every other scan
/// unrecorded with its ticket named, for the ticket's grain to answer.
/// </summary>
public sealed class ScanLogTests : IAsyncLifetime
{
    private const string LiveCode = "live-code-aaaaaaaaaaaaaaaa";
    private const string RevokedCode = "revoked-code-bbbbbbbbbbbbbb";
    private const string OtherEventCode = "other-event-code-cccccccccc";
    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid OtherEventId = Guid.NewGuid();
    private static readonly Guid TierId = Guid.NewGuid();
    private static readonly Guid OtherTierId = Guid.NewGuid();
    private static readonly Guid LiveTicket = Guid.NewGuid();
    private static readonly Guid RevokedTicket = Guid.NewGuid();
    private static readonly Guid OtherEventTicket = Guid.NewGuid();
    private TestDatabase database = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        var order = Guid.NewGuid();
        var otherOrder = Guid.NewGuid();
        await database.ScalarAsync($"""
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES
                ('{EventId}', 'org', 'Gig', now() + interval '1 day', 'org'), ('{OtherEventId}', 'org', 'Other gig', now() + interval '2 days', 'org');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, issued_quantity) VALUES
                ('{TierId}', '{EventId}', 'GA', 5000, 'eur', 10, 2), ('{OtherTierId}', '{OtherEventId}', 'GA', 5000, 'eur', 10, 1);
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, stripe_payment_intent_id, paid_at) VALUES
                ('{order}', '{EventId}', 'buyer-1', 'fulfilled', 10000, 'eur', 'pi_scan_1', now()),
                ('{otherOrder}', '{OtherEventId}', 'buyer-2', 'fulfilled', 5000, 'eur', 'pi_scan_2', now());
            INSERT INTO ticketing.order_items (order_id, tier_id, quantity, unit_price_cents) VALUES
                ('{order}', '{TierId}', 2, 5000), ('{otherOrder}', '{OtherTierId}', 1, 5000);
            INSERT INTO ticketing.tickets (id, order_id, tier_id, sequence_number) VALUES
                ('{LiveTicket}', '{order}', '{TierId}', 1), ('{RevokedTicket}', '{order}', '{TierId}', 2),
                ('{OtherEventTicket}', '{otherOrder}', '{OtherTierId}', 1);
            INSERT INTO ticketing.ticket_tokens (token, ticket_id, status, revoked_at) VALUES
                ('{LiveCode}', '{LiveTicket}', 'active', NULL),
                ('{RevokedCode}', '{RevokedTicket}', 'revoked', now()),
                ('{OtherEventCode}', '{OtherEventTicket}', 'active', NULL);
            """);
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task OfManyGatesScanningOneLiveCode_ExactlyOneAdmits_AndTheOthersNameTheTicket()
    {
        await using var scans = new ScanLog(database.DataSource);
        var now = DateTimeOffset.UtcNow;
        var written = await Task.WhenAll(Enumerable.Range(0, 12).Select(gate =>
            scans.RecordAsync(ScanRecord.AtGate(LiveCode, EventId, $"gate-{gate}", now))));

        var admitted = Assert.Single(written, w => w.Recorded);
        Assert.Equal(("admitted", LiveTicket, TierId, 1), (admitted.Result, admitted.TicketId, admitted.TierId, admitted.ScanCount));
        Assert.All(written.Where(w => !w.Recorded), w => Assert.Equal(LiveTicket, w.TicketId));
        Assert.Equal(1L, await database.ScalarAsync($"SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = '{LiveTicket}' AND result = 'admitted'"));
        Assert.Equal(1, await database.ScalarAsync($"SELECT scan_count FROM ticketing.ticket_tokens WHERE token = '{LiveCode}'"));
        Assert.NotNull(await database.ScalarAsync($"SELECT admitted_gate FROM ticketing.tickets WHERE id = '{LiveTicket}'"));
    }

    [Fact]
    public async Task AnUnknownCode_IsRecordedUnknown_WithItsFirstCharactersOnly()
    {
        await using var scans = new ScanLog(database.DataSource);
        var written = await scans.RecordAsync(ScanRecord.AtGate("nobody-has-this-code-zzzzzz", EventId, "gate-1", DateTimeOffset.UtcNow));

        Assert.Equal(("unknown", (Guid?)null), (written.Result, written.TicketId));
        Assert.Equal("nobody", await database.ScalarAsync("SELECT token_hint FROM ticketing.ticket_scans WHERE result = 'unknown'"));
    }

    [Theory]
    [InlineData(RevokedCode, "revoked")]
    [InlineData(OtherEventCode, "other event")]
    public async Task ACodeTheDatabaseDoesNotAdmit_IsLeftForTheTicketsGrain(string code, string why)
    {
        await using var scans = new ScanLog(database.DataSource);
        var written = await scans.RecordAsync(ScanRecord.AtGate(code, EventId, "gate-1", DateTimeOffset.UtcNow));

        Assert.False(written.Recorded, why);
        Assert.Equal(code == RevokedCode ? RevokedTicket : OtherEventTicket, written.TicketId);
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_scans"));
        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE admitted_at IS NOT NULL"));
    }
}
