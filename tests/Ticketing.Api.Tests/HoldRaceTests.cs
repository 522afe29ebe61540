using System.Net;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>Buyers racing for the same tier, all released at once by a gate.</summary>
public sealed class HoldRaceTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task LastTicket_TwoBuyersRace_ExactlyOneWins()
    {
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity: 10);
        await Issuance.IssueAsync(fixture.App, tierId, 9);

        var responses = await Gate.Race(2, i => fixture.App.Buyer($"last-ticket-{i}").PostJson("/api/holds", new { tierId, quantity = 1 }));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Conflict);
        await AssertDatabaseAgrees(tierId, capacity: 10, reserved: 1, issued: 9);
    }

    [Fact]
    public async Task HundredBuyers_RaceForFifty_ExactlyFiftyHold()
    {
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity: 50);

        var responses = await Gate.Race(100, i => fixture.App.Buyer($"racer-{i}").PostJson("/api/holds", new { tierId, quantity = 1 }));

        Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        var refused = responses.Where(r => r.StatusCode != HttpStatusCode.Created).ToList();
        Assert.Equal(50, refused.Count);
        foreach (var response in refused)
        {
            await response.AssertProblem(HttpStatusCode.Conflict, "sold-out");
        }

        await AssertDatabaseAgrees(tierId, capacity: 50, reserved: 50, issued: 0);
    }

    [Fact]
    public async Task MixedQuantities_Racing_NoRequestIsRefusedWhileItWouldHaveFit()
    {
        const int capacity = 97;
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity);
        var random = new Random(20261124);
        var quantities = Enumerable.Range(0, 80).Select(_ => random.Next(1, 5)).ToArray();

        var responses = await Gate.Race(quantities.Length, i => fixture.App.Buyer($"mixed-{i}").PostJson("/api/holds", new { tierId, quantity = quantities[i] }));

        var granted = quantities.Where((_, i) => responses[i].StatusCode == HttpStatusCode.Created).Sum();
        var left = capacity - granted;
        Assert.True(granted <= capacity);
        for (var i = 0; i < quantities.Length; i++)
        {
            if (responses[i].StatusCode != HttpStatusCode.Created)
            {
                await responses[i].AssertProblem(HttpStatusCode.Conflict, "sold-out");
                // Capacity only shrank during the race, so a refusal means it did not fit even at the end.
                Assert.True(quantities[i] > left, $"a request for {quantities[i]} was refused with {left} still available");
            }
        }

        await AssertDatabaseAgrees(tierId, capacity, reserved: granted, issued: 0);
    }

    [Fact]
    public async Task SameBuyer_RacingWithItself_KeepsOneActiveHold()
    {
        // Twenty holds at once from one buyer is a race on purpose, not a
        // person: a silo of its own lets this buyer burst 20 (the default is
        // 10), so all twenty reach the tier.
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:RateLimits:Holds:Burst"] = "20" }).Start();
        var tierId = await TierSetup.CreateAsync(app, capacity: 100);
        var buyer = app.Buyer("impatient-buyer");

        var responses = await Gate.Race(20, i => buyer.PostJson("/api/holds", new { tierId, quantity = 1 + (i % 3) }));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(1L, await database.ScalarAsync(
            "SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'", ("id", tierId)));
        Assert.Equal(19L, await database.ScalarAsync(
            "SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'released'", ("id", tierId)));
        var reserved = (int)(await database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)))!;
        await AssertDatabaseAgrees(database, tierId, capacity: 100, reserved: reserved, issued: 0);
        Assert.InRange(reserved, 1, 3);
    }

    private Task AssertDatabaseAgrees(Guid tierId, int capacity, int reserved, int issued) =>
        AssertDatabaseAgrees(fixture.Database, tierId, capacity, reserved, issued);

    private static async Task AssertDatabaseAgrees(TestDatabase database, Guid tierId, int capacity, int reserved, int issued)
    {
        var row = await database.ScalarAsync(
            """
            SELECT format('%s/%s/%s', quantity, reserved_quantity, issued_quantity) FROM ticketing.ticket_tiers WHERE id = @id
            """,
            ("id", tierId));
        Assert.Equal($"{capacity}/{reserved}/{issued}", row);
        Assert.Equal((long)reserved, await database.ScalarAsync(
            "SELECT coalesce(sum(quantity), 0) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'", ("id", tierId)));
        Assert.Equal((long)issued, await database.ScalarAsync(
            "SELECT count(*) FROM ticketing.tickets WHERE tier_id = @id AND status = 'issued'", ("id", tierId)));
    }
}
