using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Api.Auth;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>Remembering validated tokens must never let an invalid one through.</summary>
public sealed class ValidatedTokenCacheTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task TamperedToken_AfterTheGenuineOneWasAccepted_IsRefused()
    {
        var token = Mint("cached-organizer", Roles.Organizer, TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Created, (await Send(token)).StatusCode);

        // The same claims with a forged signature: another text, so validated afresh.
        var forged = token[..token.LastIndexOf('.')] + "." + Mint("x", Roles.Organizer, TimeSpan.FromHours(1)).Split('.')[2];
        var response = await Send(forged);

        await response.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task ExpiredToken_IsRefusedEveryTime()
    {
        var expired = Mint("late-organizer", Roles.Organizer, TimeSpan.FromMinutes(-5));

        await (await Send(expired)).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        await (await Send(expired)).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task CachedToken_StillCarriesItsOwnRoles()
    {
        var buyer = Mint("cached-buyer", Roles.Buyer, TimeSpan.FromHours(1));

        await (await Send(buyer)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await Send(buyer)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task CachedToken_StillActsForItsOrganization()
    {
        // Created under the token's organization, then the same token again (remembered) adds a tier:
        // only a caller of that organization may, so its "org" claim must have been kept.
        var organization = $"org-{Guid.NewGuid():N}";
        var token = TokenMinter.Mint(Options, "cached-member", [Roles.Organizer], [organization], [], TimeSpan.FromHours(1));
        var created = await Send(token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var eventId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var tier = await Client(token).PostJson($"/api/events/{eventId}/tiers", new { name = "GA", priceCents = 2500, currency = "eur", capacity = 10 });

        Assert.Equal(HttpStatusCode.Created, tier.StatusCode);
        var stranger = TokenMinter.Mint(Options, "cached-member", [Roles.Organizer], TimeSpan.FromHours(1));
        await (await Client(stranger).PostJson($"/api/events/{eventId}/tiers", new { name = "GA", priceCents = 2500, currency = "eur", capacity = 10 }))
            .AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    private static AuthOptions Options => new(TicketingApp.SigningKey, "ticketing", "ticketing-api", null);

    private static string Mint(string user, string role, TimeSpan lifetime) =>
        TokenMinter.Mint(Options, user, [role], lifetime);

    private Task<HttpResponseMessage> Send(string token) =>
        Client(token).PostJson("/api/events", new { title = "Cache check", startsAt = "2030-01-01T00:00:00Z" });

    private HttpClient Client(string token)
    {
        var client = fixture.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
