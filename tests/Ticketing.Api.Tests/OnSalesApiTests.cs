using System.Net;
using System.Net.Http.Json;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>PUT, GET and DELETE of an event's on-sale, and what its tiers do meanwhile.</summary>
public sealed class OnSalesApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly DateTimeOffset Later = DateTimeOffset.UtcNow.AddDays(30);

    [Fact]
    public async Task PutOnSale_SetsIt_WithTheDefaultPassMinutes_AndAnyoneMayReadIt()
    {
        var (eventId, _) = await EventAsync();

        var put = await (await fixture.App.Organizer().PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt = Later, admitPerMinute = 600 }))
            .AssertJson(HttpStatusCode.OK);
        var read = await (await fixture.App.CreateClient().GetAsync($"/api/events/{eventId}/onsale")).AssertJson(HttpStatusCode.OK);

        foreach (var onSale in new[] { put, read })
        {
            Assert.Equal(eventId, onSale.GetProperty("eventId").GetGuid());
            Assert.Equal(Later.ToUnixTimeMilliseconds(), onSale.GetProperty("opensAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
            Assert.Equal(600, onSale.GetProperty("admitPerMinute").GetInt32());
            Assert.Equal(10, onSale.GetProperty("passMinutes").GetInt32());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, onSale.GetProperty("maxPerBuyer").ValueKind);
            Assert.Equal("scheduled", onSale.GetProperty("status").GetString());
            Assert.Equal(0, onSale.GetProperty("waiting").GetInt64());
            Assert.Equal(0, onSale.GetProperty("admitted").GetInt64());
        }
    }

    [Fact]
    public async Task GetOnSale_OfAnEventWithoutOne_Is404()
    {
        var (eventId, _) = await EventAsync();

        await (await fixture.App.CreateClient().GetAsync($"/api/events/{eventId}/onsale")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await fixture.App.CreateClient().GetAsync($"/api/events/{Guid.NewGuid()}/onsale")).AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    public static TheoryData<string, string> InvalidBodies() => new()
    {
        { """{"admitPerMinute":60}""", "opensAt" },
        { """{"opensAt":"2031-01-01T20:00:00Z"}""", "admitPerMinute" },
        { """{"opensAt":"2031-01-01T20:00:00Z","admitPerMinute":0}""", "admitPerMinute" },
        { """{"opensAt":"2031-01-01T20:00:00Z","admitPerMinute":1000001}""", "admitPerMinute" },
        { """{"opensAt":"2031-01-01T20:00:00Z","admitPerMinute":60,"passMinutes":0}""", "passMinutes" },
        { """{"opensAt":"2031-01-01T20:00:00Z","admitPerMinute":60,"passMinutes":1441}""", "passMinutes" },
        { """{"opensAt":"2031-01-01T20:00:00Z","admitPerMinute":60,"maxPerBuyer":0}""", "maxPerBuyer" },
        { """{"opensAt":"2031-01-01T20:00:00Z","admitPerMinute":60,"maxPerBuyer":1001}""", "maxPerBuyer" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task PutOnSale_WithAFieldOutOfRange_Is422AndChangesNothing(string body, string field)
    {
        var (eventId, _) = await EventAsync();

        var response = await fixture.App.Organizer().PutAsync($"/api/events/{eventId}/onsale", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.onsales WHERE event_id = @id", ("id", eventId)));
    }

    [Fact]
    public async Task PutAndDelete_OnAnotherOrganizationsEvent_Are404AndChangeNothing()
    {
        var (eventId, tierId) = await EventAsync();
        await OnSaleSetup.PutAsync(fixture.App, eventId, Later, 60);
        var intruder = fixture.App.ClientFor("intruder", [Ticketing.Api.Auth.Roles.Organizer], ["another-organization"], []);

        await (await intruder.PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt = Later.AddDays(1), admitPerMinute = 1 }))
            .AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.DeleteAsync($"/api/events/{eventId}/onsale")).AssertProblem(HttpStatusCode.NotFound, "not-found");

        var onSale = await (await fixture.App.CreateClient().GetAsync($"/api/events/{eventId}/onsale")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(60, onSale.GetProperty("admitPerMinute").GetInt32());
        await (await fixture.App.Buyer("no-pass").PostJson("/api/holds", new { tierId, quantity = 1 })).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
    }

    [Fact]
    public async Task Delete_LetsTheTiersSellWithoutAPassAgain_AndIs204AlsoWhenThereIsNone()
    {
        var (eventId, tierId) = await EventAsync();
        var buyer = fixture.App.Buyer("after-the-queue");
        await OnSaleSetup.PutAsync(fixture.App, eventId, Later, 60);
        await (await buyer.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertProblem(HttpStatusCode.Forbidden, "admission-required");

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.App.Organizer().DeleteAsync($"/api/events/{eventId}/onsale")).StatusCode);

        await (await buyer.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);
        await (await fixture.App.CreateClient().GetAsync($"/api/events/{eventId}/onsale")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await buyer.PostAsync($"/api/events/{eventId}/queue", null)).AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.App.Organizer().DeleteAsync($"/api/events/{eventId}/onsale")).StatusCode);
    }

    [Fact]
    public async Task Put_ReachesATierActiveBeforeIt_AndOneCreatedAfter()
    {
        var (eventId, tierId) = await EventAsync();
        var buyer = fixture.App.Buyer("early-tier");
        await (await buyer.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);

        await OnSaleSetup.PutAsync(fixture.App, eventId, Later, 60);
        var later = await TierSetup.AddSiblingAsync(fixture.App, tierId, capacity: 10);

        await (await buyer.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
        await (await buyer.PostJson("/api/holds", new { tierId = later, quantity = 1 })).AssertProblem(HttpStatusCode.Forbidden, "admission-required");
    }

    [Fact]
    public async Task Put_ThatMovesAnOpenOnSalesOpening_Is409_WhileOtherChangesAreTaken()
    {
        var (eventId, _) = await EventAsync();
        var opened = DateTimeOffset.UtcNow.AddMinutes(-1);
        var open = await OnSaleSetup.PutAsync(fixture.App, eventId, opened, 60);
        Assert.Equal("open", open.GetProperty("status").GetString());
        var organizer = fixture.App.Organizer();

        await (await organizer.PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt = Later, admitPerMinute = 60 }))
            .AssertProblem(HttpStatusCode.Conflict, "onsale-open");
        var changed = await (await organizer.PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt = open.GetProperty("opensAt").GetDateTimeOffset(), admitPerMinute = 120, passMinutes = 5, maxPerBuyer = 4 }))
            .AssertJson(HttpStatusCode.OK);

        Assert.Equal(120, changed.GetProperty("admitPerMinute").GetInt32());
        Assert.Equal(5, changed.GetProperty("passMinutes").GetInt32());
        Assert.Equal(4, changed.GetProperty("maxPerBuyer").GetInt32());
        Assert.Equal(opened.ToUnixTimeMilliseconds(), changed.GetProperty("opensAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Put_BeforeTheOpening_MayMoveIt()
    {
        var (eventId, _) = await EventAsync();
        await OnSaleSetup.PutAsync(fixture.App, eventId, Later, 60);

        var moved = await OnSaleSetup.PutAsync(fixture.App, eventId, Later.AddDays(1), 60);

        Assert.Equal(Later.AddDays(1).ToUnixTimeMilliseconds(), moved.GetProperty("opensAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
    }

    private async Task<(Guid EventId, Guid TierId)> EventAsync()
    {
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity: 10);
        return (await OnSaleSetup.EventOfAsync(fixture.App, tierId), tierId);
    }
}
