using Ticketing.Testing;
using System.Net;
using System.Net.Http.Headers;
using Ticketing.Api.Auth;

namespace Ticketing.Api.Tests;

public sealed class AuthTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly object AnEvent = new { title = "Gig", startsAt = "2030-05-01T20:00:00+02:00" };

    [Fact]
    public async Task OrganizerRoute_WithoutToken_Returns401Problem()
    {
        var response = await fixture.App.CreateClient().PostJson("/api/events", AnEvent);

        await response.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0L, await CountEvents("Gig"));
    }

    [Fact]
    public async Task OrganizerRoute_WithBuyerToken_Returns403ProblemAndWritesNothing()
    {
        var response = await fixture.App.Buyer().PostJson("/api/events", new { title = "Buyer's gig", startsAt = "2030-05-01T20:00:00Z" });

        await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0L, await CountEvents("Buyer's gig"));
    }

    [Theory]
    [InlineData("a-different-signing-key-0123456789abcdef-xyz", "ticketing", "ticketing-api", 1)]
    [InlineData(TicketingApp.SigningKey, "someone-else", "ticketing-api", 1)]
    [InlineData(TicketingApp.SigningKey, "ticketing", "another-api", 1)]
    [InlineData(TicketingApp.SigningKey, "ticketing", "ticketing-api", -1)]
    public async Task Token_WhenNotValid_Returns401(string key, string issuer, string audience, int hours)
    {
        var client = fixture.App.CreateClient();
        var token = TokenMinter.Mint(new AuthOptions(key, issuer, audience, null), "organizer-1", [Roles.Organizer], TimeSpan.FromHours(hours));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var response = await client.PostJson("/api/events", new { title = "Forged", startsAt = "2030-05-01T20:00:00Z" });

        await response.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0L, await CountEvents("Forged"));
    }

    [Fact]
    public async Task OrganizerRoute_WithOrganizerToken_Succeeds()
    {
        var response = await fixture.App.Organizer().PostJson("/api/events", new { title = "Allowed", startsAt = "2030-05-01T20:00:00Z" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1L, await CountEvents("Allowed"));
    }

    [Fact]
    public async Task PublicRoute_WithoutToken_Succeeds()
    {
        var response = await fixture.App.CreateClient().GetAsync("/api/events");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Dashboard_OutsideDevelopment_RequiresAnOperator()
    {
        var anonymous = await fixture.App.CreateClient().GetAsync("/dashboard/");
        var buyer = await fixture.App.Buyer().GetAsync("/dashboard/");
        var organizer = await fixture.App.Organizer().GetAsync("/dashboard/");
        var @operator = await fixture.App.Operator().GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, buyer.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, organizer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, @operator.StatusCode);
    }

    private async Task<long> CountEvents(string title) =>
        (long)(await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.events WHERE title = @title", ("title", title)))!;
}
