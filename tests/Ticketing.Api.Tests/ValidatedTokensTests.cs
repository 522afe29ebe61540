using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Ticketing.Api.Auth;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>Remembering validated tokens must never let an invalid one through, nor one past its time.</summary>
public sealed class ValidatedTokensTests(ApiFixture fixture) : IClassFixture<ApiFixture>
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

    [Fact]
    public async Task AnAcceptedToken_IsRemembered_ARefusedOneIsNot()
    {
        var tokens = fixture.App.Services.GetRequiredService<ValidatedTokens>();
        var token = Mint("remembered-organizer", Roles.Organizer, TimeSpan.FromHours(1));
        var expired = Mint("refused-organizer", Roles.Organizer, TimeSpan.FromMinutes(-5));

        Assert.Equal(HttpStatusCode.Created, (await Send(token)).StatusCode);
        await (await Send(expired)).AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");

        Assert.Equal("remembered-organizer", tokens.Find($"Bearer {token}")?.FindFirstValue("sub"));
        Assert.Null(tokens.Find($"Bearer {expired}"));
    }

    [Fact]
    public void ARememberedToken_IsForgottenAtItsExpiry_AndAfterFiveMinutesAtMost()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var tokens = new ValidatedTokens(clock);
        tokens.Remember("Bearer soon", Caller("buyer-soon"), clock.GetUtcNow().AddSeconds(30));
        tokens.Remember("Bearer later", Caller("buyer-later"), clock.GetUtcNow().AddHours(1));

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("buyer-soon", tokens.Find("Bearer soon")?.FindFirstValue("sub"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(tokens.Find("Bearer soon"));

        clock.Advance(TimeSpan.FromSeconds(269));
        Assert.Equal("buyer-later", tokens.Find("Bearer later")?.FindFirstValue("sub"));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(tokens.Find("Bearer later"));
    }

    [Fact]
    public void ARememberedToken_GivesAnIdentityOfTheClaimsTheRulesRead_AndOnlyForItsExactText()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var tokens = new ValidatedTokens(clock);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "organizer-1"), new Claim("role", Roles.Organizer), new Claim(CallerClaims.Organization, "org-a"),
             new Claim(CallerClaims.Organization, "org-b"), new Claim("jti", "not kept"), new Claim("exp", "1893499200")],
            "AuthenticationTypes.Federation", "sub", "role"));
        tokens.Remember("Bearer abc", principal, clock.GetUtcNow().AddHours(1));

        var first = tokens.Find("Bearer abc")!;
        var second = tokens.Find("Bearer abc")!;

        Assert.Same(first, second);
        Assert.True(first.Identity!.IsAuthenticated);
        Assert.Equal("organizer-1", first.Identity.Name);
        Assert.True(first.IsInRole(Roles.Organizer));
        Assert.Equal(["org-a", "org-b"], first.Organizations());
        Assert.Equal(["sub", "role", "org", "org", "exp"], first.Claims.Select(claim => claim.Type));
        Assert.Null(tokens.Find("Bearer abd"));
        Assert.Null(tokens.Find("bearer abc"));
    }

    [Fact]
    public void PastItsBound_TheMemoryStartsAgainEmpty_ARenewedTokenNotCountedTwice()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var tokens = new ValidatedTokens(clock, maxEntries: 3);
        var until = clock.GetUtcNow().AddHours(1);
        tokens.Remember("Bearer a", Caller("a"), until);
        tokens.Remember("Bearer b", Caller("b"), until);
        tokens.Remember("Bearer b", Caller("b"), until);
        tokens.Remember("Bearer c", Caller("c"), until);

        Assert.All(["a", "b", "c"], user => Assert.Equal(user, tokens.Find($"Bearer {user}")?.FindFirstValue("sub")));

        tokens.Remember("Bearer d", Caller("d"), until);

        Assert.All(["a", "b", "c", "d"], user => Assert.Null(tokens.Find($"Bearer {user}")));
        tokens.Remember("Bearer e", Caller("e"), until);
        Assert.Equal("e", tokens.Find("Bearer e")?.FindFirstValue("sub"));
    }

    private static ClaimsPrincipal Caller(string user) =>
        new(new ClaimsIdentity([new Claim("sub", user), new Claim("role", Roles.Buyer)], "AuthenticationTypes.Federation", "sub", "role"));

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
