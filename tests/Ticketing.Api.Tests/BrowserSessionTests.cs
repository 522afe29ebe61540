using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Ticketing.Api.Tests.BrowserSessions;

namespace Ticketing.Api.Tests;

/// <summary>
/// Browser sessions outside Development: the cookie's flags, the same identity
/// as the token it came from (so every organization and event rule holds),
/// antiforgery on what a cookie signs in, bearer calls as before, 401s that say
/// how to authenticate, pages sent to sign in, no open redirect, sign-out, and
/// sessions any silo of the database reads.
/// </summary>
public sealed class BrowserSessionTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task SessionFromBearer_SetsAnHttpOnlySecureLaxCookie_EndingWithTheToken()
    {
        var browser = App.Browser();
        using var start = new HttpRequestMessage(HttpMethod.Post, "/auth/session");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TicketingApp.Token("cookie-buyer", [Roles.Buyer], [], []));

        using var response = await browser.SendAsync(start);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var cookie = SetCookie(response, SessionCookie);
        Assert.NotNull(cookie);
        var attributes = Attributes(cookie);
        Assert.Contains("httponly", attributes);
        Assert.Contains("secure", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.Contains("path=/", attributes);
        // The token lives an hour: so does the session made of it.
        Assert.InRange(Expires(cookie), DateTimeOffset.UtcNow.AddMinutes(58), DateTimeOffset.UtcNow.AddMinutes(61));
    }

    [Fact]
    public async Task SessionFromALongToken_LastsTheTwelveHoursOfAShift()
    {
        var browser = App.Browser();
        using var start = new HttpRequestMessage(HttpMethod.Post, "/auth/session");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TokenMinter.Mint(
            new AuthOptions(TicketingApp.SigningKey, "ticketing", "ticketing-api", null), "long-shift", [Roles.Scanner], TimeSpan.FromDays(2)));

        using var response = await browser.SendAsync(start);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.InRange(Expires(SetCookie(response, SessionCookie)!), DateTimeOffset.UtcNow.AddHours(12).AddMinutes(-2), DateTimeOffset.UtcNow.AddHours(12).AddMinutes(1));
    }

    [Fact]
    public async Task Session_HasTheTokensIdentity_AsDoesABearerCaller()
    {
        var eventId = Guid.NewGuid();
        var session = await App.SessionFor("identity-scanner", [Roles.Scanner, Roles.Buyer], ["org-x", "org-y"], [eventId]);
        var bearer = App.Browser();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TicketingApp.Token("identity-scanner", [Roles.Scanner, Roles.Buyer], ["org-x", "org-y"], [eventId]));

        var bySession = await (await session.GetAsync("/auth/session")).AssertJson(HttpStatusCode.OK);
        var byToken = await (await bearer.GetAsync("/auth/session")).AssertJson(HttpStatusCode.OK);

        foreach (var identity in new[] { bySession, byToken })
        {
            Assert.Equal("identity-scanner", identity.GetProperty("userId").GetString());
            Assert.Equal([Roles.Scanner, Roles.Buyer], Strings(identity, "roles"));
            Assert.Equal(["org-x", "org-y"], Strings(identity, "organizations"));
            Assert.Equal([eventId.ToString()], Strings(identity, "events"));
            Assert.False(string.IsNullOrEmpty(identity.GetProperty("antiforgeryToken").GetString()));
        }
    }

    [Fact]
    public async Task Sessions_OverPlainHttpOutsideDevelopment_AreRefusedAsNeedingHttps()
    {
        var plain = App.ClientFor("plain-buyer", Roles.Buyer); // http://localhost

        var session = await plain.GetAsync("/auth/session");
        var start = await plain.PostAsync("/auth/session", null);
        var page = await App.CreateClient().GetAsync("/signin");

        await session.AssertProblem(HttpStatusCode.BadRequest, "https-required");
        await start.AssertProblem(HttpStatusCode.BadRequest, "https-required");
        Assert.Null(SetCookie(start, SessionCookie));
        await page.AssertProblem(HttpStatusCode.BadRequest, "https-required");
    }

    [Fact]
    public async Task OrganizerSession_OnAnotherOrganizationsEvent_Gets404_AndChangesNothing()
    {
        var theirs = await CreateEventAsync(App.ClientFor("session-org-b", [Roles.Organizer], ["session-org-b"], []), "B's session night");
        var session = await App.SessionFor("session-org-a", [Roles.Organizer], ["session-org-a"], []);
        var ours = await CreateEventAsync(session, "A's session night");

        var refused = await session.PostJson($"/api/events/{theirs}/tiers", new { name = "Intruder", priceCents = 100, currency = "eur", capacity = 10 });
        var allowed = await session.PostJson($"/api/events/{ours}/tiers", new { name = "GA", priceCents = 100, currency = "eur", capacity = 10 });

        await refused.AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
        Assert.Equal(0L, await TiersOf(theirs));
        Assert.Equal(1L, await TiersOf(ours));
        Assert.Equal("session-org-a", await OrganizationOf(ours));
    }

    [Fact]
    public async Task ScannerSession_NarrowedToOneEvent_IsRefusedAtAnotherEventsGate()
    {
        var organizer = App.Organizer();
        var narrowedTo = await CreateEventAsync(organizer, "Narrowed night");
        var other = await CreateEventAsync(organizer, "Other night");
        var scanner = await App.SessionFor("narrow-gate", [Roles.Scanner], [TicketingApp.Organization], [narrowedTo]);

        var refused = await scanner.PostJson("/api/scans", new { token = "AAAAAAAAAAAAAAAAAAAAAA", eventId = other, gate = "north" });
        var looked = await scanner.PostJson("/api/scans", new { token = "AAAAAAAAAAAAAAAAAAAAAA", eventId = narrowedTo, gate = "north" });

        await refused.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        // At its own event's gate the code is looked up (nobody has it).
        Assert.Equal(HttpStatusCode.OK, looked.StatusCode);
    }

    [Fact]
    public async Task SessionRequest_WithoutTheRightAntiforgeryToken_Is400_AndChangesNothing()
    {
        var session = await App.SessionFor("csrf-organizer", [Roles.Organizer], [], []);
        var own = session.DefaultRequestHeaders.GetValues("X-CSRF-TOKEN").Single();
        var otherUsers = (await App.SessionFor("csrf-other", [Roles.Organizer], [], [])).DefaultRequestHeaders.GetValues("X-CSRF-TOKEN").Single();
        session.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");

        foreach (var (who, token) in new[] { ("no token", null), ("a wrong token", "not-a-token"), ("another session's token", otherUsers) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = JsonContent(new { title = "Forged " + who, startsAt = "2031-01-01T20:00:00Z" }) };
            if (token is not null)
            {
                request.Headers.Add("X-CSRF-TOKEN", token);
            }

            using var response = await session.SendAsync(request);

            await response.AssertProblem(HttpStatusCode.BadRequest, "antiforgery");
            Assert.Equal(0L, await EventsTitled("Forged " + who));
        }

        using var genuine = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = JsonContent(new { title = "Genuine csrf night", startsAt = "2031-01-01T20:00:00Z" }) };
        genuine.Headers.Add("X-CSRF-TOKEN", own);
        Assert.Equal(HttpStatusCode.Created, (await session.SendAsync(genuine)).StatusCode);
        Assert.Equal(1L, await EventsTitled("Genuine csrf night"));
    }

    [Fact]
    public async Task BearerRequest_NeedsNoAntiforgeryToken_EvenBesideASessionCookie()
    {
        var browser = await App.SessionFor("cookie-buyer-2", [Roles.Buyer], [], []);
        browser.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TicketingApp.Token("bearer-organizer", [Roles.Organizer], [], []));

        var response = await browser.PostJson("/api/events", new { title = "Bearer beside cookie", startsAt = "2031-01-01T20:00:00Z" });

        var created = await response.AssertJson(HttpStatusCode.Created);
        // The bearer token is the caller: the buyer's session would have been refused.
        Assert.Equal("bearer-organizer", await OrganizationOf(created.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Unauthorized_SaysHowToAuthenticate()
    {
        var refusedToken = App.CreateClient();
        refusedToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");

        var none = await App.CreateClient().GetAsync("/api/ops/alerts");
        var refused = await refusedToken.GetAsync("/api/ops/alerts");
        var refusedSession = await refusedToken.PostAsync("/auth/session", null);

        var problem = await none.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("sign in", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        await refused.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
        await refusedSession.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer error=\"invalid_token\"", refusedSession.Headers.WwwAuthenticate.ToString());
        Assert.Null(SetCookie(refusedSession, SessionCookie));
    }

    [Fact]
    public async Task PageNeedingSignIn_SendsABrowserToSignIn_WhileApiCallsGetTheir401()
    {
        var browser = App.Browser();
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        var buyer = await App.SessionFor("dashboard-buyer", [Roles.Buyer], [], []);
        buyer.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var page = await browser.GetAsync("/dashboard/?view=grains");
        var api = await browser.GetAsync("/api/ops/alerts");
        var script = await App.Browser().GetAsync("/dashboard/DashboardCounters");
        var forbidden = await buyer.GetAsync("/dashboard/");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/signin?returnUrl=%2Fdashboard%2F%3Fview%3Dgrains", page.Headers.Location?.OriginalString);
        await api.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        await script.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
        await forbidden.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("\\\\evil.example/")]
    [InlineData("http:/evil.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("evil.example")]
    [InlineData("/console\r\nSet-Cookie: x=y")]
    public async Task ReturnUrl_ElsewhereThanThisSite_IsRefused_AndSignsNobodyIn(string returnUrl)
    {
        var browser = App.Browser();
        var formToken = await SignInFormTokenAsync(browser);

        var page = await browser.GetAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var posted = await browser.PostAsync("/auth/session", Form(
            ("token", TicketingApp.Token("redirected-buyer", [Roles.Buyer], [], [])), ("returnUrl", returnUrl), ("__RequestVerificationToken", formToken)));

        await page.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        await posted.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Null(SetCookie(posted, SessionCookie));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/session")).StatusCode);
    }

    [Fact]
    public async Task SignInPage_OutsideDevelopment_OffersTheTokenForm_AndNoDevelopmentSignIn()
    {
        var browser = App.Browser();

        var page = await browser.GetAsync("/signin?returnUrl=%2Fconsole%3Ftab%3D1");
        var html = await page.Content.ReadAsStringAsync();
        var development = await browser.PostAsync("/auth/signin/development", Form(
            ("userId", "intruder"), ("role", Roles.Operator), ("returnUrl", "/"), ("__RequestVerificationToken", FormToken(html))));
        var openIdConnect = await browser.GetAsync("/auth/signin/oidc?returnUrl=%2F");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<label for=\"token\">", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/auth/session\"", html, StringComparison.Ordinal);
        Assert.Contains("name=\"returnUrl\" value=\"/console?tab=1\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/auth/signin/development", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/auth/signin/oidc", html, StringComparison.Ordinal);
        await development.AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Null(SetCookie(development, SessionCookie));
        await openIdConnect.AssertProblem(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task PastedToken_BecomesASession_AndGoesBackToReturnUrl()
    {
        var browser = App.Browser();
        var formToken = await SignInFormTokenAsync(browser, "/console");

        var posted = await browser.PostAsync("/auth/session", Form(
            ("token", TicketingApp.Token("pasting-organizer", [Roles.Organizer], ["pasted-org"], [])), ("returnUrl", "/console"), ("__RequestVerificationToken", formToken)));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/console", posted.Headers.Location?.OriginalString);
        Assert.NotNull(SetCookie(posted, SessionCookie));
        var session = await (await browser.GetAsync("/auth/session")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("pasting-organizer", session.GetProperty("userId").GetString());
        Assert.Equal(["pasted-org"], Strings(session, "organizations"));
    }

    [Fact]
    public async Task PastedToken_WithoutTheFormsAntiforgeryToken_Is400_AndSignsNobodyIn()
    {
        var browser = App.Browser();
        await SignInFormTokenAsync(browser); // the antiforgery cookie is there; the form's field is not

        var posted = await browser.PostAsync("/auth/session", Form(("token", TicketingApp.Token("csrf-victim", [Roles.Buyer], [], [])), ("returnUrl", "/")));

        await posted.AssertProblem(HttpStatusCode.BadRequest, "antiforgery");
        Assert.Null(SetCookie(posted, SessionCookie));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/session")).StatusCode);
    }

    [Fact]
    public async Task PastedToken_ThatIsNotValid_ShowsThePageAgainWith401_AndSignsNobodyIn()
    {
        var browser = App.Browser();
        var formToken = await SignInFormTokenAsync(browser);
        var expired = TokenMinter.Mint(new AuthOptions(TicketingApp.SigningKey, "ticketing", "ticketing-api", null), "late-buyer", [Roles.Buyer], TimeSpan.FromHours(-1));

        var posted = await browser.PostAsync("/auth/session", Form(("token", expired), ("returnUrl", "/"), ("__RequestVerificationToken", formToken)));

        Assert.Equal(HttpStatusCode.Unauthorized, posted.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", posted.Headers.WwwAuthenticate.ToString());
        Assert.Contains("role=\"alert\"", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(SetCookie(posted, SessionCookie));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/session")).StatusCode);
    }

    [Fact]
    public async Task SignOut_NeedsTheAntiforgeryToken_ThenEndsTheSession()
    {
        var session = await App.SessionFor("leaving-buyer", [Roles.Buyer], [], []);
        var token = session.DefaultRequestHeaders.GetValues("X-CSRF-TOKEN").Single();
        session.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");

        var forged = await session.PostAsync("/auth/signout", null);
        var stillIn = await session.GetAsync("/auth/session");
        using var signOut = new HttpRequestMessage(HttpMethod.Post, "/auth/signout");
        signOut.Headers.Add("X-CSRF-TOKEN", token);
        var signedOut = await session.SendAsync(signOut);
        var after = await session.GetAsync("/auth/session");

        await forged.AssertProblem(HttpStatusCode.BadRequest, "antiforgery");
        Assert.Equal(HttpStatusCode.OK, stillIn.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, signedOut.StatusCode);
        Assert.True(Expires(SetCookie(signedOut, SessionCookie)!) < DateTimeOffset.UtcNow, "the cookie is not cleared");
        await after.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Session_SignedInOnOneSilo_IsReadByAnotherOfTheSameDatabase()
    {
        // A second silo of its own cluster on the same database: nothing but the database is shared.
        var overrides = new Dictionary<string, string?> { ["Orleans:ClusterId"] = App.Database.Name + "-b", ["Orleans:ServiceId"] = App.Database.Name + "-b" };
        await using var other = new TicketingApp(App.Database, overrides).Start();
        var here = App.Browser();
        using var start = new HttpRequestMessage(HttpMethod.Post, "/auth/session");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TicketingApp.Token("roaming-organizer", [Roles.Organizer], [], []));
        var started = await here.SendAsync(start);
        var session = await here.GetAsync("/auth/session");
        var antiforgeryToken = (await session.AssertJson(HttpStatusCode.OK)).GetProperty("antiforgeryToken").GetString()!;
        var cookies = string.Join("; ", CookiePairs(started).Concat(CookiePairs(session)));

        var there = other.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), HandleCookies = false });
        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = JsonContent(new { title = "Roaming night", startsAt = "2031-01-01T20:00:00Z" }) };
        create.Headers.Add("Cookie", cookies);
        create.Headers.Add("X-CSRF-TOKEN", antiforgeryToken);
        var created = await there.SendAsync(create);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1L, await EventsTitled("Roaming night"));
    }

    [Fact]
    public async Task SessionKeys_AreStoredSealed()
    {
        await App.SessionFor("sealed-buyer", [Roles.Buyer], [], []);

        var keys = (string?)await App.Database.ScalarAsync("SELECT string_agg(xml, '') FROM ticketing.session_keys");

        Assert.NotNull(keys);
        Assert.Contains("<key ", keys, StringComparison.Ordinal);
        Assert.Contains("SessionKeyDecryptor", keys, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", keys, StringComparison.Ordinal);
    }

    private static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body), System.Text.Encoding.UTF8, "application/json");

    private static string[] Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(item => item.GetString()!)];

    private static async Task<Guid> CreateEventAsync(HttpClient organizer, string title) =>
        (await (await organizer.PostJson("/api/events", new { title, startsAt = "2031-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

    private async Task<long> TiersOf(Guid eventId) =>
        (long)(await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_tiers WHERE event_id = @id", ("id", eventId)))!;

    private async Task<long> EventsTitled(string title) =>
        (long)(await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.events WHERE title = @title", ("title", title)))!;

    private async Task<string?> OrganizationOf(Guid eventId) =>
        (string?)await App.Database.ScalarAsync("SELECT organization_id FROM ticketing.events WHERE id = @id", ("id", eventId));
}
