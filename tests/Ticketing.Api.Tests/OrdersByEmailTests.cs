using System.Net;
using System.Text.Json;
using Ticketing.Api.Auth;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// An organizer finds a buyer's orders by the contact e-mail address the buyer
/// gave (GET /api/orders?email=): whatever its case, only of the events of the
/// organizations the organizer acts for, and never by an address erased since.
/// </summary>
public sealed class OrdersByEmailTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task FindByEmail_AnswersTheOrganizationsOrders_NewestFirst_WhateverTheCase()
    {
        var organizer = App.ClientFor("fay", [Roles.Organizer], ["org-case"], []);
        var (eventId, tierId) = await EventAsync(organizer, "Case night");
        var buyer = App.Buyer("buyer-case");
        var first = await App.PaidOrderAsync(buyer, tierId, 2, "Ada.Lovelace@Example.org");
        var second = await App.PaidOrderAsync(buyer, tierId, 1, "ada.lovelace@example.org");
        await App.PaidOrderAsync(buyer, tierId, 1, "someone.else@example.org");

        var found = await FindAsync(organizer, "ADA.LOVELACE@EXAMPLE.ORG");

        Assert.Equal([second, first], found.Select(o => o.GetProperty("id").GetGuid()));
        var older = found[1];
        Assert.Equal(eventId, older.GetProperty("eventId").GetGuid());
        Assert.Equal("Case night", older.GetProperty("eventTitle").GetString());
        Assert.Equal("fulfilled", older.GetProperty("status").GetString());
        Assert.Equal(2, older.GetProperty("quantity").GetInt32());
        Assert.Equal(5000, older.GetProperty("totalCents").GetInt64());
        Assert.Equal("eur", older.GetProperty("currency").GetString());
        Assert.Equal("Ada.Lovelace@Example.org", older.GetProperty("contactEmail").GetString());
        Assert.Equal("A Buyer", older.GetProperty("contactName").GetString());
        Assert.NotEqual(JsonValueKind.Null, older.GetProperty("paidAt").ValueKind);
    }

    [Fact]
    public async Task FindByEmail_NeverAnswersAnotherOrganizationsOrders()
    {
        var mine = App.ClientFor("gus", [Roles.Organizer], ["org-mine"], []);
        var theirs = App.ClientFor("hal", [Roles.Organizer], ["org-theirs"], []);
        var both = App.ClientFor("ivy", [Roles.Organizer], ["org-mine", "org-theirs"], []);
        var (_, myTier) = await EventAsync(mine, "My night");
        var (_, theirTier) = await EventAsync(theirs, "Their night");
        const string Email = "shared.buyer@example.org";
        var myOrder = await App.PaidOrderAsync(App.Buyer("buyer-shared"), myTier, 1, Email);
        var theirOrder = await App.PaidOrderAsync(App.Buyer("buyer-shared"), theirTier, 1, Email);

        Assert.Equal([myOrder], (await FindAsync(mine, Email)).Select(o => o.GetProperty("id").GetGuid()));
        Assert.Equal([theirOrder], (await FindAsync(theirs, Email)).Select(o => o.GetProperty("id").GetGuid()));
        Assert.Equal([theirOrder, myOrder], (await FindAsync(both, Email)).Select(o => o.GetProperty("id").GetGuid()));
        Assert.Empty(await FindAsync(App.ClientFor("jon", [Roles.Organizer], ["org-nobody"], []), Email));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-an-address")]
    [InlineData("two@@example.org")]
    [InlineData("nul\u0000@example.org")]
    [InlineData("tab\t@example.org")]
    public async Task FindByEmail_OfAMalformedAddress_IsAValidationProblem(string email)
    {
        var organizer = App.Organizer();

        var problem = await (await organizer.GetAsync($"/api/orders?email={Uri.EscapeDataString(email)}")).AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");

        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _), problem.ToString());
    }

    [Fact]
    public async Task FindByEmail_WithoutAnAddress_OrWithAnOverlongOne_IsAValidationProblem()
    {
        var organizer = App.Organizer();
        var overlong = $"{new string('a', 64)}@{new string('b', 61)}.{new string('c', 61)}.{new string('d', 62)}.org";

        Assert.Equal(255, overlong.Length);
        await (await organizer.GetAsync("/api/orders")).AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        await (await organizer.GetAsync($"/api/orders?email={overlong}")).AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        // One shorter is an address, and finds nothing.
        Assert.Empty(await FindAsync(organizer, overlong[1..]));
    }

    [Fact]
    public async Task FindByEmail_AfterTheBuyerIsErased_DoesNotFindTheirOrders()
    {
        var organizer = App.ClientFor("kim", [Roles.Organizer], ["org-erasure"], []);
        var (_, tierId) = await EventAsync(organizer, "Erasure night");
        const string Email = "forget.me@example.org";
        var erased = await App.PaidOrderAsync(App.Buyer("buyer-forgotten"), tierId, 1, Email);
        var kept = await App.PaidOrderAsync(App.Buyer("buyer-remembered"), tierId, 1, Email);
        Assert.Equal([kept, erased], (await FindAsync(organizer, Email)).Select(o => o.GetProperty("id").GetGuid()));

        var erasure = await (await App.Operator().PostAsync("/api/ops/buyers/buyer-forgotten/erase", null)).AssertJson(HttpStatusCode.OK);

        Assert.Equal(1, erasure.GetProperty("ordersAnonymized").GetInt32());
        Assert.Equal([kept], (await FindAsync(organizer, Email)).Select(o => o.GetProperty("id").GetGuid()));
        // The erased order is still the organizer's to read by its id: only the person is gone.
        Assert.Equal("fulfilled", (await organizer.GetOrderAsync(erased)).GetProperty("status").GetString());
    }

    private static async Task<JsonElement[]> FindAsync(HttpClient organizer, string email) =>
        [.. (await (await organizer.GetAsync($"/api/orders?email={Uri.EscapeDataString(email)}")).AssertJson(HttpStatusCode.OK)).EnumerateArray()];

    private static async Task<(Guid EventId, Guid TierId)> EventAsync(HttpClient organizer, string title)
    {
        var created = await (await organizer.PostJson("/api/events", new { title, startsAt = "2031-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);
        var eventId = created.GetProperty("id").GetGuid();
        var tier = await (await organizer.PostJson($"/api/events/{eventId}/tiers", new { name = "GA", priceCents = 2500, currency = "eur", capacity = 20 }))
            .AssertJson(HttpStatusCode.Created);
        return (eventId, tier.GetProperty("id").GetGuid());
    }
}
