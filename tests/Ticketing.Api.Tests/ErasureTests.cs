using System.Net;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// A buyer's erasure reaches every table that names them, with random
/// replacements (nothing left leads back to the user id), and touches no one
/// else. One buyer to erase and one to keep, each with a scanned ticket, a
/// live hold and a request remembered under an idempotency key.
/// </summary>
public sealed class ErasureTests(ErasureTests.Buyers buyers) : IClassFixture<ErasureTests.Buyers>
{
    [Fact]
    public void Erasure_AnswersWhatItChanged()
    {
        var erased = buyers.Erased;

        Assert.Equal(Buyers.Erase, erased.GetProperty("userId").GetString());
        Assert.Equal(1, erased.GetProperty("ordersAnonymized").GetInt32());
        Assert.True(erased.GetProperty("holdsErased").GetInt32() >= 2); // the one ordered, the live one
        Assert.Equal(1, erased.GetProperty("idempotencyKeysDeleted").GetInt32());
        Assert.True(erased.GetProperty("webhookEventsErased").GetInt32() >= 1);
        Assert.Equal(1, erased.GetProperty("scansErased").GetInt32());
        Assert.True(erased.GetProperty("auditEntriesErased").GetInt32() >= 2);
        Assert.Equal(1, erased.GetProperty("queuePlacesErased").GetInt32());
    }

    [Fact]
    public async Task QueuePlaces_AreDeleted()
    {
        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.queue_entries WHERE user_id = @user"));
        Assert.Equal(1L, await Count($"SELECT count(*) FROM ticketing.queue_entries WHERE user_id = '{Buyers.Keep}'"));
    }

    [Fact]
    public async Task Orders_LoseTheUserAndContact_ForARandomId()
    {
        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.orders WHERE user_id = @user OR user_id LIKE '%' || md5(@user) || '%'"));
        var replacement = (string)(await buyers.Database.ScalarAsync("SELECT user_id FROM ticketing.orders WHERE id = @id", ("id", buyers.ErasedOrder)))!;
        Assert.Matches("^anonymized:[0-9a-f-]{36}$", replacement);
        Assert.Equal(DBNull.Value, await buyers.Database.ScalarAsync("SELECT contact_email FROM ticketing.orders WHERE id = @id", ("id", buyers.ErasedOrder)));
        Assert.Equal("fulfilled", await buyers.Database.ScalarAsync("SELECT status FROM ticketing.orders WHERE id = @id", ("id", buyers.ErasedOrder)));
        Assert.Equal(Buyers.Keep, await buyers.Database.ScalarAsync("SELECT user_id FROM ticketing.orders WHERE id = @id", ("id", buyers.KeptOrder)));
    }

    [Fact]
    public async Task Holds_NameARandomUser()
    {
        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.ticket_holds WHERE user_id = @user"));
        Assert.Equal(0L, await Count("SELECT count(*) - count(DISTINCT user_id) FROM ticketing.ticket_holds WHERE user_id LIKE 'erased:%'"));
        Assert.True(await Count("SELECT count(*) FROM ticketing.ticket_holds WHERE user_id LIKE 'erased:%'") >= 2);
        Assert.Equal(2L, await Count($"SELECT count(*) FROM ticketing.ticket_holds WHERE user_id = '{Buyers.Keep}'"));
    }

    [Fact]
    public async Task IdempotencyKeys_AreDeleted()
    {
        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.idempotency_keys WHERE user_id = @user"));
        Assert.Equal(1L, await Count($"SELECT count(*) FROM ticketing.idempotency_keys WHERE user_id = '{Buyers.Keep}'"));
    }

    [Fact]
    public async Task WebhookPayloads_AboutTheirPayments_AreErased()
    {
        var intent = (string)(await buyers.Database.ScalarAsync("SELECT stripe_payment_intent_id FROM ticketing.orders WHERE id = @id", ("id", buyers.ErasedOrder)))!;
        var keptIntent = (string)(await buyers.Database.ScalarAsync("SELECT stripe_payment_intent_id FROM ticketing.orders WHERE id = @id", ("id", buyers.KeptOrder)))!;

        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.stripe_events WHERE payload::text LIKE '%' || @intent || '%'", ("intent", intent)));
        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.stripe_events WHERE payload::text LIKE '%' || @order || '%'", ("order", buyers.ErasedOrder.ToString())));
        Assert.True(await Count("SELECT count(*) FROM ticketing.stripe_events WHERE payload ? 'erased'") >= 1);
        Assert.True(await Count("SELECT count(*) FROM ticketing.stripe_events WHERE payload::text LIKE '%' || @intent || '%'", ("intent", keptIntent)) >= 1);
    }

    [Fact]
    public async Task Scans_OfTheirTickets_KeepNoPartOfTheCode()
    {
        Assert.Equal(0L, await Count(
            "SELECT count(*) FROM ticketing.ticket_scans s JOIN ticketing.ticket_tokens k ON k.ticket_id = s.ticket_id WHERE s.token_hint = left(k.token, 6) AND s.ticket_id = @ticket",
            ("ticket", buyers.ErasedTicket)));
        Assert.Equal(1L, await Count("SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = @ticket AND result = 'admitted'", ("ticket", buyers.ErasedTicket)));
        Assert.Equal(1L, await Count(
            "SELECT count(*) FROM ticketing.ticket_scans s JOIN ticketing.ticket_tokens k ON k.ticket_id = s.ticket_id WHERE s.token_hint = left(k.token, 6) AND s.ticket_id = @ticket",
            ("ticket", buyers.KeptTicket)));
    }

    [Fact]
    public async Task AuditLog_NamesThemNoMore()
    {
        Assert.Equal(0L, await Count("SELECT count(*) FROM ticketing.audit_log WHERE data::text LIKE '%\"' || @user || '\"%'"));
        Assert.True(await Count($"SELECT count(*) FROM ticketing.audit_log WHERE data::text LIKE '%\"{Buyers.Keep}\"%'") >= 2);
    }

    private async Task<long> Count(string sql, params (string Name, object Value)[] parameters) =>
        (long)(await buyers.Database.ScalarAsync(sql, [("user", Buyers.Erase), .. parameters]))!;

    public sealed class Buyers : IAsyncLifetime
    {
        public const string Erase = "buyer-to-erase";
        public const string Keep = "buyer-to-keep";

        private TicketingApp app = null!;

        public TestDatabase Database => app.Database;

        public Guid ErasedOrder { get; private set; }

        public Guid KeptOrder { get; private set; }

        public Guid ErasedTicket { get; private set; }

        public Guid KeptTicket { get; private set; }

        public System.Text.Json.JsonElement Erased { get; private set; }

        public async Task InitializeAsync()
        {
            app = new TicketingApp(await TestDatabase.CreateAsync()).Start();
            var tierId = await TierSetup.CreateAsync(app, capacity: 10);
            (ErasedOrder, ErasedTicket) = await ScannedTicketAsync(tierId, Erase);
            (KeptOrder, KeptTicket) = await ScannedTicketAsync(tierId, Keep);
            // Both wait for the event's next on-sale.
            var eventId = await OnSaleSetup.EventOfAsync(app, tierId);
            await OnSaleSetup.PutAsync(app, eventId, DateTimeOffset.UtcNow.AddDays(1), 60);
            await OnSaleSetup.JoinAsync(app.Buyer(Erase), eventId);
            await OnSaleSetup.JoinAsync(app.Buyer(Keep), eventId);

            Erased = await (await app.Operator().PostAsync($"/api/ops/buyers/{Erase}/erase", null)).AssertJson(HttpStatusCode.OK);
        }

        public async Task DisposeAsync()
        {
            await app.DisposeAsync();
            await app.Database.DisposeAsync();
        }

        private async Task<(Guid Order, Guid Ticket)> ScannedTicketAsync(Guid tierId, string userId)
        {
            var buyer = app.Buyer(userId);
            var orderId = await app.PaidOrderAsync(buyer, tierId, 1);
            var ticket = Assert.Single(await buyer.TicketsAsync(orderId));
            var tier = await (await app.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
            await (await app.Scanner().PostJson("/api/scans", new { token = ticket.GetProperty("qrToken").GetString(), eventId = tier.GetProperty("eventId").GetGuid() }))
                .AssertJson(HttpStatusCode.OK);
            var keyed = app.Buyer(userId);
            keyed.DefaultRequestHeaders.Add("Idempotency-Key", "hold-" + userId);
            await (await keyed.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);
            return (orderId, ticket.GetProperty("id").GetGuid());
        }
    }
}
