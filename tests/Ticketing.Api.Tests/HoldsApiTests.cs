using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Abstractions.OnSales;
using Ticketing.Abstractions.Tiers;
using Ticketing.Grains.OnSales;
using Ticketing.Persistence.OnSales;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

public sealed class HoldsApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task PlaceHold_WhenAvailable_Returns201AndReservesCapacity()
    {
        var tierId = await CreateTier(capacity: 10);

        var response = await fixture.App.Buyer().PostJson("/api/holds", new { tierId, quantity = 3 });

        var hold = await response.AssertJson(HttpStatusCode.Created);
        var holdId = hold.GetProperty("id").GetGuid();
        Assert.Equal($"/api/holds/{holdId}", response.Headers.Location?.ToString());
        Assert.Equal(tierId, hold.GetProperty("tierId").GetGuid());
        Assert.Equal(3, hold.GetProperty("quantity").GetInt32());
        Assert.Equal("active", hold.GetProperty("status").GetString());
        var expiresIn = hold.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow;
        Assert.InRange(expiresIn, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        await AssertCounters(tierId, reserved: 3, available: 7);
    }

    [Fact]
    public async Task PlaceHold_WhenFewerAvailable_Returns409SoldOutAndChangesNothing()
    {
        var tierId = await CreateTier(capacity: 2);

        var response = await fixture.App.Buyer().PostJson("/api/holds", new { tierId, quantity = 3 });

        await response.AssertProblem(HttpStatusCode.Conflict, "sold-out");
        await AssertCounters(tierId, reserved: 0, available: 2);
        Assert.Equal(0L, await HoldRows(tierId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5)]
    public async Task PlaceHold_WithQuantityOutOfRange_Returns422AndChangesNothing(int quantity)
    {
        var tierId = await CreateTier(capacity: 10, maxPerOrder: 4);

        var response = await fixture.App.Buyer().PostJson("/api/holds", new { tierId, quantity });

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("quantity", out _));
        Assert.Equal(0L, await HoldRows(tierId));
    }

    [Fact]
    public async Task PlaceHold_ForUnknownTier_Returns404()
    {
        var response = await fixture.App.Buyer().PostJson("/api/holds", new { tierId = Guid.NewGuid(), quantity = 1 });

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task PlaceHold_AsOrganizer_Returns403()
    {
        var tierId = await CreateTier(capacity: 10);

        var response = await fixture.App.Organizer().PostJson("/api/holds", new { tierId, quantity = 1 });

        await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task PlaceHold_Twice_ReplacesTheFirstInTheSameStep()
    {
        var tierId = await CreateTier(capacity: 5);
        var buyer = fixture.App.Buyer("replacing-buyer");
        var first = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 4 })).AssertJson(HttpStatusCode.Created);

        // 5 would not fit beside the first hold's 4, but the first is given back in the same step.
        var second = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 5 })).AssertJson(HttpStatusCode.Created);

        var old = await (await buyer.GetAsync($"/api/holds/{first.GetProperty("id").GetGuid()}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("released", old.GetProperty("status").GetString());
        Assert.Equal("active", second.GetProperty("status").GetString());
        await AssertCounters(tierId, reserved: 5, available: 0);
    }

    [Fact]
    public async Task PlaceHold_Twice_KeepsTheFirstHoldsExpiry()
    {
        var tierId = await CreateTier(capacity: 5);
        var buyer = fixture.App.Buyer("rolling-buyer");
        var first = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);

        var second = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 2 })).AssertJson(HttpStatusCode.Created);

        Assert.Equal(first.GetProperty("expiresAt").GetDateTimeOffset(), second.GetProperty("expiresAt").GetDateTimeOffset());
        var read = await (await buyer.GetAsync($"/api/holds/{second.GetProperty("id").GetGuid()}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("expiresAt").GetDateTimeOffset(), read.GetProperty("expiresAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task ReplacingHold_LapsesAtTheFirstHoldsExpiry_AndFreesItsSeats()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:Holds:Ttl"] = "00:00:03" }).Start();
        var tierId = await TierSetup.CreateAsync(app, capacity: 2);
        var buyer = app.Buyer("rolling-buyer");
        var first = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);
        var firstExpiry = first.GetProperty("expiresAt").GetDateTimeOffset();

        var second = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 2 })).AssertJson(HttpStatusCode.Created);
        var secondId = second.GetProperty("id").GetGuid();

        Assert.Equal(firstExpiry, second.GetProperty("expiresAt").GetDateTimeOffset());
        var status = await Eventually.Value(
            () => database.ScalarAsync("SELECT status FROM ticketing.ticket_holds WHERE id = @id", ("id", secondId)),
            value => (string?)value == "expired",
            TimeSpan.FromSeconds(30));
        Assert.Equal("expired", status);
        Assert.True(DateTimeOffset.UtcNow >= firstExpiry);
        var read = await (await buyer.GetAsync($"/api/holds/{secondId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("expired", read.GetProperty("status").GetString());
        var tier = await (await app.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal((0, 2), (tier.GetProperty("reserved").GetInt32(), tier.GetProperty("available").GetInt32()));
        Assert.Equal(0, await database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
    }

    [Fact]
    public async Task PlaceHold_SecondOneTooBig_KeepsTheFirst()
    {
        var tierId = await CreateTier(capacity: 5);
        var buyer = fixture.App.Buyer("greedy-buyer");
        await fixture.App.Buyer("other-buyer").PostJson("/api/holds", new { tierId, quantity = 3 });
        var first = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 2 })).AssertJson(HttpStatusCode.Created);

        var response = await buyer.PostJson("/api/holds", new { tierId, quantity = 3 });

        await response.AssertProblem(HttpStatusCode.Conflict, "sold-out");
        var kept = await (await buyer.GetAsync($"/api/holds/{first.GetProperty("id").GetGuid()}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("active", kept.GetProperty("status").GetString());
        await AssertCounters(tierId, reserved: 5, available: 0);
    }

    [Fact]
    public async Task ReleaseHold_ByOwner_Returns204AndFreesCapacity()
    {
        var tierId = await CreateTier(capacity: 4);
        var buyer = fixture.App.Buyer("releasing-buyer");
        var hold = await (await buyer.PostJson("/api/holds", new { tierId, quantity = 4 })).AssertJson(HttpStatusCode.Created);
        var holdId = hold.GetProperty("id").GetGuid();

        var response = await buyer.DeleteAsync($"/api/holds/{holdId}");
        var again = await buyer.DeleteAsync($"/api/holds/{holdId}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        await AssertCounters(tierId, reserved: 0, available: 4);
        Assert.Equal("released", await fixture.Database.ScalarAsync("SELECT status FROM ticketing.ticket_holds WHERE id = @id", ("id", holdId)));
    }

    [Fact]
    public async Task AnotherBuyersHold_IsNotFound()
    {
        var tierId = await CreateTier(capacity: 4);
        var hold = await (await fixture.App.Buyer("owner").PostJson("/api/holds", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);
        var holdId = hold.GetProperty("id").GetGuid();
        var intruder = fixture.App.Buyer("intruder");

        await (await intruder.GetAsync($"/api/holds/{holdId}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.DeleteAsync($"/api/holds/{holdId}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await AssertCounters(tierId, reserved: 1, available: 3);
    }

    [Fact]
    public async Task IdempotencyKey_RepeatedRequest_ReturnsTheFirstResponseAndHoldsOnce()
    {
        var tierId = await CreateTier(capacity: 10);
        var buyer = fixture.App.Buyer("idempotent-buyer");

        var first = await Send(buyer, "key-1", new { tierId, quantity = 2 });
        var repeat = await Send(buyer, "key-1", new { tierId, quantity = 2 });

        var firstHold = await first.AssertJson(HttpStatusCode.Created);
        var repeatHold = await repeat.AssertJson(HttpStatusCode.Created);
        Assert.Equal(firstHold.GetProperty("id").GetGuid(), repeatHold.GetProperty("id").GetGuid());
        Assert.Equal(first.Headers.Location, repeat.Headers.Location);
        Assert.Equal(1L, await HoldRows(tierId));
        await AssertCounters(tierId, reserved: 2, available: 8);
    }

    [Fact]
    public async Task IdempotencyKey_WithADifferentBody_Returns422AndChangesNothing()
    {
        var tierId = await CreateTier(capacity: 10);
        var buyer = fixture.App.Buyer("mismatched-buyer");
        await Send(buyer, "key-2", new { tierId, quantity = 2 });

        var response = await Send(buyer, "key-2", new { tierId, quantity = 3 });

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "idempotency-mismatch");
        Assert.Equal(1L, await HoldRows(tierId));
        await AssertCounters(tierId, reserved: 2, available: 8);
    }

    [Fact]
    public async Task IdempotencyKey_IsPerUser()
    {
        var tierId = await CreateTier(capacity: 10);

        await (await Send(fixture.App.Buyer("user-x"), "shared-key", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);
        await (await Send(fixture.App.Buyer("user-y"), "shared-key", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);

        Assert.Equal(2L, await HoldRows(tierId));
    }

    [Fact]
    public async Task IdempotencyKey_TooLong_Returns422()
    {
        var tierId = await CreateTier(capacity: 10);

        var response = await Send(fixture.App.Buyer(), new string('k', 256), new { tierId, quantity = 1 });

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(0L, await HoldRows(tierId));
    }

    [Fact]
    public async Task PlaceHold_PastTheOnSalesMaxPerBuyer_Returns409BuyerLimitAndHoldsNothing()
    {
        var tierId = await CreateTier(capacity: 10);
        var siblingId = await TierSetup.AddSiblingAsync(fixture.App, tierId, capacity: 10);
        var eventId = (await fixture.App.Grains().GetGrain<ITicketTierGrain>(tierId).GetTier()).Tier!.EventId;
        var rules = await fixture.App.Services.GetRequiredService<OnSaleStore>().SetAsync(
            new OnSaleRules(Guid.NewGuid(), eventId, DateTimeOffset.UtcNow.AddMinutes(-1), AdmitPerMinute: 60, PassMinutes: 10, MaxPerBuyer: 3),
            CancellationToken.None);
        await fixture.App.Grains().GetGrain<ITicketTierGrain>(tierId).ApplyOnSale(rules);
        await fixture.App.Grains().GetGrain<ITicketTierGrain>(siblingId).ApplyOnSale(rules);
        var buyer = fixture.App.Buyer("capped-buyer");
        buyer.DefaultRequestHeaders.Add("Admission-Pass", fixture.App.Services.GetRequiredService<AdmissionPasses>().Issue(rules, "capped-buyer", DateTimeOffset.UtcNow.AddMinutes(10)));
        await (await buyer.PostJson("/api/holds", new { tierId, quantity = 2 })).AssertJson(HttpStatusCode.Created);

        var response = await buyer.PostJson("/api/holds", new { tierId = siblingId, quantity = 2 });

        var problem = await response.AssertProblem(HttpStatusCode.Conflict, "buyer-limit");
        Assert.Contains("at most 3 tickets", problem.GetProperty("detail").GetString());
        Assert.Equal(0L, await HoldRows(siblingId));
        await (await buyer.PostJson("/api/holds", new { tierId = siblingId, quantity = 1 })).AssertJson(HttpStatusCode.Created);
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/holds") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    private async Task<Guid> CreateTier(int capacity, int maxPerOrder = 10) =>
        await TierSetup.CreateAsync(fixture.App, capacity, maxPerOrder);

    private async Task<long> HoldRows(Guid tierId) =>
        (long)(await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = @id", ("id", tierId)))!;

    private async Task AssertCounters(Guid tierId, int reserved, int available)
    {
        var tier = await (await fixture.App.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(reserved, tier.GetProperty("reserved").GetInt32());
        Assert.Equal(available, tier.GetProperty("available").GetInt32());
        Assert.Equal(reserved, await fixture.Database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
        Assert.Equal((long)reserved, await fixture.Database.ScalarAsync(
            "SELECT coalesce(sum(quantity), 0) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'", ("id", tierId)));
    }
}
