using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Ticketing.Api.Tests.BrowserSessions;

namespace Ticketing.Api.Tests;

/// <summary>
/// Sign-in through an OpenID Connect authority, a whole round trip against a
/// provider on Kestrel: the silo sends the browser to its authorize endpoint
/// (code flow, PKCE), the provider posts the code back, the silo redeems it
/// with its secret and code verifier and checks the ID token against the
/// provider's keys; the session is then the token's sub, role and org.
/// </summary>
public sealed class OpenIdConnectSignInTests(OpenIdConnectSignInTests.WithProvider world) : IClassFixture<OpenIdConnectSignInTests.WithProvider>
{
    private TicketingApp App => world.App;

    private OpenIdProvider Provider => world.Provider;

    [Fact]
    public async Task SignIn_GoesToTheAuthorityWithCodeAndPkce_AndTheCallbackSignsInWithTheIdTokensClaims()
    {
        Provider.User = ("idp-organizer", [Roles.Organizer], ["idp-org"]);
        var browser = App.Browser();
        var page = await (await browser.GetAsync("/signin?returnUrl=%2Fconsole")).Content.ReadAsStringAsync();
        Assert.Contains("href=\"/auth/signin/oidc?returnUrl=%2Fconsole\"", page, StringComparison.Ordinal);
        Assert.Contains($"Sign in with {Provider.Address.Authority}", page, StringComparison.Ordinal);
        var redeemedBefore = Provider.Redeemed;

        var challenge = await browser.GetAsync("/auth/signin/oidc?returnUrl=%2Fconsole");

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.Equal(new Uri(Provider.Address, "/authorize").GetLeftPart(UriPartial.Path), authorize.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal(OpenIdProvider.ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
        Assert.Equal("https://localhost/signin-oidc", query["redirect_uri"]);
        Assert.Contains("openid", query["scope"].ToString().Split(' '));

        var callback = await FollowAtTheProviderAsync(browser, authorize);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/console", callback.Headers.Location?.OriginalString);
        Assert.NotNull(SetCookie(callback, SessionCookie));
        Assert.Equal(redeemedBefore + 1, Provider.Redeemed);
        var session = await (await browser.GetAsync("/auth/session")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("idp-organizer", session.GetProperty("userId").GetString());
        Assert.Equal([Roles.Organizer], Strings(session, "roles"));
        Assert.Equal(["idp-org"], Strings(session, "organizations"));

        // The session acts as the token says: an event of its organization.
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", session.GetProperty("antiforgeryToken").GetString());
        var created = await (await browser.PostJson("/api/events", new { title = "Signed in at the provider", startsAt = "2031-01-01T20:00:00Z" }))
            .AssertJson(HttpStatusCode.Created);
        Assert.Equal("idp-org", created.GetProperty("organizationId").GetString());
    }

    [Fact]
    public async Task IdTokenSignedWithAKeyTheProviderDoesNotPublish_SignsNobodyIn()
    {
        Provider.User = ("forged-operator", [Roles.Operator], []);
        Provider.SignWithAnotherKey = true;
        try
        {
            var browser = App.Browser();
            var challenge = await browser.GetAsync("/auth/signin/oidc?returnUrl=%2Fdashboard");

            var callback = await FollowAtTheProviderAsync(browser, challenge.Headers.Location!);

            Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
            Assert.Equal("/signin?failed=openid-connect", callback.Headers.Location?.OriginalString);
            Assert.Null(SetCookie(callback, SessionCookie));
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/session")).StatusCode);
            Assert.Contains(App.Logs, entry => entry.Message.StartsWith("OpenID Connect sign-in failed", StringComparison.Ordinal) && entry.Message.Contains("Signature", StringComparison.OrdinalIgnoreCase));
            var page = await browser.GetAsync(callback.Headers.Location!);
            Assert.Contains("role=\"alert\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            Provider.SignWithAnotherKey = false;
        }
    }

    [Fact]
    public async Task ACallbackThisBrowserDidNotStart_SignsNobodyIn()
    {
        Provider.User = ("someone-elses", [Roles.Buyer], []);
        var victim = App.Browser();
        var attacker = App.Browser();
        var challenge = await attacker.GetAsync("/auth/signin/oidc?returnUrl=%2F");

        // The attacker's code and state, posted by the victim's browser (login CSRF): no correlation cookie, no session.
        var callback = await FollowAtTheProviderAsync(victim, challenge.Headers.Location!);

        Assert.Equal("/signin?failed=openid-connect", callback.Headers.Location?.OriginalString);
        Assert.Null(SetCookie(callback, SessionCookie));
        Assert.Contains(App.Logs, entry => entry.Message.Contains("Correlation failed", StringComparison.Ordinal));
    }

    /// <summary>Asks the provider to authorize (as the browser, signed in there) and posts back what its page posts.</summary>
    private static async Task<HttpResponseMessage> FollowAtTheProviderAsync(HttpClient browser, Uri authorize)
    {
        using var atProvider = new HttpClient();
        var page = await atProvider.GetStringAsync(authorize);
        var action = Regex.Match(page, "action=\"([^\"]+)\"").Groups[1].Value;
        var fields = Regex.Matches(page, "name=\"([^\"]+)\" value=\"([^\"]*)\"")
            .Select(field => (field.Groups[1].Value, WebUtility.HtmlDecode(field.Groups[2].Value))).ToArray();
        Assert.Equal("https://localhost/signin-oidc", WebUtility.HtmlDecode(action));
        return await browser.PostAsync(WebUtility.HtmlDecode(action), Form(fields));
    }

    private static string[] Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(item => item.GetString()!)];

    /// <summary>A provider on Kestrel, and a silo that signs people in through it.</summary>
    public sealed class WithProvider : IAsyncLifetime
    {
        public OpenIdProvider Provider { get; private set; } = null!;

        public TicketingApp App { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Provider = await OpenIdProvider.StartAsync();
            App = new TicketingApp(await TestDatabase.CreateAsync(), new Dictionary<string, string?>
            {
                ["Ticketing:Auth:Authority"] = Provider.Address.ToString(),
                ["Ticketing:Auth:ClientId"] = OpenIdProvider.ClientId,
                ["Ticketing:Auth:ClientSecret"] = OpenIdProvider.ClientSecret,
            }).Start();
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await App.Database.DisposeAsync();
            await Provider.DisposeAsync();
        }
    }
}
