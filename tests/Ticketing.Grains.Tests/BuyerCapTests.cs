using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Abstractions.OnSales;
using Ticketing.Abstractions.Tiers;
using Ticketing.Grains.OnSales;
using Ticketing.Persistence.OnSales;
using Ticketing.Testing;

namespace Ticketing.Grains.Tests;

/// <summary>
/// The on-sale's cap per buyer across an event's tiers, on real PostgreSQL:
/// live holds, unpaid orders and issued tickets together never pass it, also
/// when one buyer races holds on two tiers, and room comes back when a hold
/// expires or is released, an order is cancelled or expires, or tickets are
/// refunded; a silo that starts afresh counts from the database.
/// </summary>
public sealed class BuyerCapTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task OneBuyerRacingHoldsOnTwoTiers_GetsOneOfThem_WhenBothWouldPassTheCap()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: 5);
        const int buyers = 40;

        var results = await Gate.Race(buyers * 2, i => sale.Hold($"racer-{i / 2}", i % 2 == 0 ? sale.TierA : sale.TierB, 3));

        for (var buyer = 0; buyer < buyers; buyer++)
        {
            var outcomes = new[] { results[buyer * 2].Outcome, results[(buyer * 2) + 1].Outcome };
            Assert.Equal([TierOutcome.Done, TierOutcome.BuyerLimit], outcomes.Order().ToArray());
            Assert.Equal(3, await sale.HeldAsync($"racer-{buyer}"));
        }
    }

    [Fact]
    public async Task OneBuyerRacingManyHoldsOnTwoTiers_NeverHoldsMoreThanTheCap()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: 4);
        const int buyers = 10, attempts = 12;

        // Each buyer's attempts alternate tiers and quantities, so they replace one another too.
        var results = await Gate.Race(buyers * attempts, i =>
            sale.Hold($"hoarder-{i % buyers}", (i / buyers) % 2 == 0 ? sale.TierA : sale.TierB, 1 + ((i / buyers) % 3)));

        Assert.Contains(results, r => r.Outcome == TierOutcome.BuyerLimit);
        Assert.All(results, r => Assert.Contains(r.Outcome, new[] { TierOutcome.Done, TierOutcome.BuyerLimit }));
        for (var buyer = 0; buyer < buyers; buyer++)
        {
            Assert.InRange(await sale.HeldAsync($"hoarder-{buyer}"), 1, 4);
        }
    }

    [Fact]
    public async Task AReplacingHold_CountsItsNewQuantity_InsteadOfTheOld()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: 4);

        Assert.Equal(TierOutcome.Done, (await sale.Hold("replacer", sale.TierA, 3)).Outcome);
        Assert.Equal(TierOutcome.Done, (await sale.Hold("replacer", sale.TierB, 1)).Outcome);
        Assert.Equal(TierOutcome.Done, (await sale.Hold("replacer", sale.TierA, 2)).Outcome);
        Assert.Equal(TierOutcome.Done, (await sale.Hold("replacer", sale.TierA, 3)).Outcome);
        var over = await sale.Hold("replacer", sale.TierA, 4);

        Assert.Equal(TierOutcome.BuyerLimit, over.Outcome);
        Assert.Null(over.Hold);
        Assert.Contains("you have 1 besides this hold", over.Detail);
        Assert.Equal(4, await sale.HeldAsync("replacer"));
    }

    [Fact]
    public async Task ReleasingAHold_GivesItsRoomBack()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: 4);
        var held = (await sale.Hold("releaser", sale.TierA, 4)).Hold!;
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("releaser", sale.TierB, 1)).Outcome);

        Assert.Equal(TierOutcome.Done, await sale.Tier(sale.TierA).Release(held.Id, "releaser"));

        Assert.Equal(TierOutcome.Done, (await sale.Hold("releaser", sale.TierB, 4)).Outcome);
    }

    [Fact]
    public async Task AnUnpaidOrderCounts_EvenWhenItsHoldIsReplaced_UntilItIsCancelled()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: 4);
        var buyer = fixture.App.Buyer("canceller");
        var held = (await sale.Hold("canceller", sale.TierA, 3)).Hold!;
        var orderId = (await buyer.PlaceOrderAsync(held.Id)).GetProperty("id").GetGuid();

        // The order pays with the hold: holding again on its tier does not free its tickets.
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("canceller", sale.TierA, 2)).Outcome);
        Assert.Equal(TierOutcome.Done, (await sale.Hold("canceller", sale.TierB, 1)).Outcome);
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("canceller", sale.TierB, 2)).Outcome);

        await (await buyer.PostAsync($"/api/orders/{orderId}/cancel", null)).AssertJson(HttpStatusCode.OK);

        // Cancelled, the order lets go of its hold, which counts as a hold again and can be replaced.
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("canceller", sale.TierB, 2)).Outcome);
        Assert.Equal(TierOutcome.Done, (await sale.Hold("canceller", sale.TierA, 1)).Outcome);
        Assert.Equal(TierOutcome.Done, (await sale.Hold("canceller", sale.TierB, 3)).Outcome);
        Assert.Equal(4, await sale.HeldAsync("canceller"));
    }

    [Fact]
    public async Task IssuedTicketsCount_AndRefundedOnesNoLonger()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: 4);
        var buyer = fixture.App.Buyer("refunded-buyer");
        var held = (await sale.Hold("refunded-buyer", sale.TierA, 3)).Hold!;
        var order = await buyer.PlaceOrderAsync(held.Id);
        var orderId = order.GetProperty("id").GetGuid();
        fixture.App.Stripe.Control.Succeed(order.GetProperty("payment").GetProperty("paymentIntentId").GetString()!);
        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("refunded-buyer", sale.TierB, 2)).Outcome);

        var tickets = await buyer.TicketsAsync(orderId);
        var refunded = tickets.Take(2).Select(t => t.GetProperty("id").GetGuid()).ToArray();
        await (await fixture.App.Organizer().PostJson($"/api/orders/{orderId}/refund", new { ticketIds = refunded })).AssertJson(HttpStatusCode.Accepted);
        // The seats go back with the tickets' end, which may follow the order's status.
        var ended = await Eventually.Value(
            () => buyer.TicketsAsync(orderId),
            now => now.Count(t => t.GetProperty("status").GetString() == "refunded") == 2,
            TimeSpan.FromSeconds(20));
        Assert.Equal(2, ended.Count(t => t.GetProperty("status").GetString() == "refunded"));

        Assert.Equal(TierOutcome.Done, (await sale.Hold("refunded-buyer", sale.TierB, 3)).Outcome);
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("refunded-buyer", sale.TierA, 1)).Outcome);
    }

    [Fact]
    public async Task WithoutACap_HoldsAreAsBefore_AndNoAllowanceIsAsked()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: null);

        Assert.Equal(TierOutcome.Done, (await sale.Hold("uncapped", sale.TierA, 6)).Outcome);
        Assert.Equal(TierOutcome.Done, (await sale.Hold("uncapped", sale.TierB, 6)).Outcome);

        Assert.Equal(12, await sale.HeldAsync("uncapped"));
        Assert.False(await IsActive(sale.EventId, "uncapped"));

        // What the statistics would show had it been asked: a capped sale's allowance.
        var capped = await CappedSale.CreateAsync(fixture.App, cap: 6);
        Assert.Equal(TierOutcome.Done, (await capped.Hold("uncapped", capped.TierA, 6)).Outcome);
        Assert.True(await IsActive(capped.EventId, "uncapped"));
    }

    [Fact]
    public async Task APreparedAllowance_DecidesTheBuyersFirstHoldFromTheReadItMadeBefore()
    {
        var sale = await CappedSale.CreateAsync(fixture.App, cap: 4);
        await fixture.App.Grains().Reference<IBuyerAllowanceGrain>(sale.EventId, "prepared").Prepare();

        // Rows no hold of the product could add unasked: only what the allowance read before can tell the two apart.
        await sale.LiveHoldWrittenAsync("prepared", sale.TierB, 4);
        await sale.LiveHoldWrittenAsync("unprepared", sale.TierB, 4);

        Assert.Equal(TierOutcome.Done, (await sale.Hold("prepared", sale.TierA, 1)).Outcome);
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("unprepared", sale.TierA, 1)).Outcome);
    }

    private Task<bool> IsActive(Guid eventId, string userId) => OnSaleSetup.AllowanceActiveAsync(fixture.App, eventId, userId);

    [Fact]
    public async Task LapsedHoldsAndAnExpiredOrder_GiveTheirRoomBack()
    {
        await using var database = await TestDatabase.CreateAsync();
        // Long enough for a busy machine to place the order before its hold lapses.
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:Holds:Ttl"] = "00:00:08" }).Start();
        var sale = await CappedSale.CreateAsync(app, cap: 4);

        var lapsing = (await sale.Hold("lapser", sale.TierA, 4)).Hold!;
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("lapser", sale.TierB, 1)).Outcome);
        var status = await Eventually.Value(
            () => database.ScalarAsync("SELECT status FROM ticketing.ticket_holds WHERE id = @id", ("id", lapsing.Id)),
            value => (string?)value == "expired",
            TimeSpan.FromSeconds(30));
        Assert.Equal("expired", status);
        var ordered = (await sale.Hold("lapser", sale.TierB, 4)).Hold!;

        var buyer = app.Buyer("lapser");
        var orderId = (await buyer.PlaceOrderAsync(ordered.Id)).GetProperty("id").GetGuid();
        Assert.Equal(TierOutcome.BuyerLimit, (await sale.Hold("lapser", sale.TierA, 1)).Outcome);
        await buyer.WaitForStatusAsync(orderId, "expired");

        Assert.Equal(TierOutcome.Done, (await sale.Hold("lapser", sale.TierA, 4)).Outcome);
    }

    [Fact]
    public async Task ASiloStartedAfresh_CountsWhatTheBuyerHasFromTheDatabase()
    {
        await using var database = await TestDatabase.CreateAsync();
        CappedSale sale;
        await using (var before = new TicketingApp(database).Start())
        {
            sale = await CappedSale.CreateAsync(before, cap: 4);
            var held = (await sale.Hold("restarter", sale.TierA, 2)).Hold!;
            await before.Buyer("restarter").PlaceOrderAsync(held.Id);
            Assert.Equal(TierOutcome.Done, (await sale.Hold("restarter", sale.TierB, 1)).Outcome);
        }

        await using var after = new TicketingApp(database).Start();
        var again = sale.On(after);

        Assert.Equal(TierOutcome.BuyerLimit, (await again.Hold("restarter", sale.TierA, 2)).Outcome);
        Assert.Equal(TierOutcome.BuyerLimit, (await again.Hold("restarter", sale.TierB, 3)).Outcome);
        Assert.Equal(TierOutcome.Done, (await again.Hold("restarter", sale.TierB, 2)).Outcome);
    }

    /// <summary>An event of two tiers with an on-sale open now, and holds made with the buyer's own pass.</summary>
    private sealed record CappedSale(TicketingApp App, Guid EventId, Guid TierA, Guid TierB, OnSaleRules Rules)
    {
        public static async Task<CappedSale> CreateAsync(TicketingApp app, int? cap)
        {
            var tierA = await TierSetup.CreateAsync(app, capacity: 200, maxPerOrder: 6);
            var tierB = await TierSetup.AddSiblingAsync(app, tierA, capacity: 200);
            var eventId = (await app.Grains().GetGrain<ITicketTierGrain>(tierA).GetTier()).Tier!.EventId;
            var rules = await app.Services.GetRequiredService<OnSaleStore>().SetAsync(
                new OnSaleRules(Guid.NewGuid(), eventId, DateTimeOffset.UtcNow.AddMinutes(-1), AdmitPerMinute: 600, PassMinutes: 10, MaxPerBuyer: cap),
                CancellationToken.None);
            var sale = new CappedSale(app, eventId, tierA, tierB, rules);
            await sale.Tier(tierA).ApplyOnSale(rules);
            await sale.Tier(tierB).ApplyOnSale(rules);
            return sale;
        }

        /// <summary>The same sale, seen from another silo.</summary>
        public CappedSale On(TicketingApp app) => this with { App = app };

        public ITicketTierGrain Tier(Guid tierId) => App.Grains().GetGrain<ITicketTierGrain>(tierId);

        public Task<ReserveResult> Hold(string userId, Guid tierId, int quantity) =>
            Tier(tierId).Reserve(userId, quantity, App.Services.GetRequiredService<AdmissionPasses>().Issue(Rules, userId, DateTimeOffset.UtcNow.AddMinutes(10)));

        /// <summary>A live hold's row, written straight to the database as no tier would.</summary>
        public async Task LiveHoldWrittenAsync(string userId, Guid tierId, int quantity) => await App.Database.ScalarAsync(
            """
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, status, created_at, expires_at)
            VALUES (@id, @tier_id, @user_id, @quantity, 'active', now(), now() + interval '15 minutes')
            """,
            ("id", Guid.CreateVersion7()), ("tier_id", tierId), ("user_id", userId), ("quantity", quantity));

        /// <summary>The buyer's tickets in live holds of the event, as the database has them.</summary>
        public async Task<int> HeldAsync(string userId) => (int)(long)(await App.Database.ScalarAsync(
            """
            SELECT coalesce(sum(h.quantity), 0) FROM ticketing.ticket_holds h
            WHERE h.tier_id IN (@a, @b) AND h.user_id = @user_id AND h.status = 'active'
            """,
            ("a", TierA), ("b", TierB), ("user_id", userId)))!;
    }
}
