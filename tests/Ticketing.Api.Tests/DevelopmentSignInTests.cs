using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Ticketing.Api.Tests.BrowserSessions;

namespace Ticketing.Api.Tests;

/// <summary>
/// In Development the sign-in page signs in as anyone with any roles, over
/// plain http://localhost as scripts/run.sh serves it, still behind the
/// sign-in form's antiforgery token.
/// </summary>
public sealed class DevelopmentSignInTests(DevelopmentSignInTests.DevelopmentApp development) : IClassFixture<DevelopmentSignInTests.DevelopmentApp>
{
    private TicketingApp App => development.App;

    [Fact]
    public void EveryRouteMappedInDevelopment_IsClassified()
    {
        // Among them POST /auth/signin/development, mapped only here.
        Assert.Empty(AuthorizationMatrixTests.UnclassifiedRoutes(App));
    }

    [Fact]
    public async Task SignInPage_OffersTheFourPeopleOfRunSh_AndAFormForAnyone_EachFieldLabelled()
    {
        var page = await Browser().GetAsync("/signin?returnUrl=%2Fgate");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"viewport\"", html, StringComparison.Ordinal);
        Assert.Contains(":focus-visible", html, StringComparison.Ordinal);
        foreach (var person in new[] { "buyer-1", "organizer-1", "gate-1", "oncall-1" })
        {
            Assert.Contains($"name=\"userId\" value=\"{person}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("name=\"organizations\" value=\"organizer-1\"", html, StringComparison.Ordinal); // gate-1 scans for organizer-1
        foreach (var role in Roles.All)
        {
            Assert.Contains($"name=\"role\" value=\"{role}\"> {role}</label>", html, StringComparison.Ordinal);
        }

        var fields = Regex.Matches(html, "<(?:input|textarea) type=\"(?:text)\" id=\"([^\"]+)\"|<textarea id=\"([^\"]+)\"").Select(match => match.Groups[1].Value + match.Groups[2].Value).ToList();
        Assert.Equal(["userId", "organizations", "events", "token"], fields);
        Assert.All(fields, field => Assert.Contains($"<label for=\"{field}\">", html, StringComparison.Ordinal));
        Assert.Equal(5, Regex.Count(html, "action=\"/auth/signin/development\""));
        Assert.Equal(6, Regex.Count(html, "name=\"returnUrl\" value=\"/gate\""));
    }

    [Fact]
    public async Task DevelopmentSignIn_SignsInAsAnyone_WithTheirRolesOrganizationsAndEvents()
    {
        var browser = Browser();
        var formToken = await SignInFormTokenAsync(browser, "/console");
        var eventId = Guid.NewGuid();

        var signedIn = await browser.PostAsync("/auth/signin/development", Form(
            ("userId", "dev-7"), ("role", Roles.Organizer), ("role", Roles.Scanner), ("organizations", "org-1, org-2"), ("events", eventId.ToString()),
            ("returnUrl", "/console"), ("__RequestVerificationToken", formToken)));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/console", signedIn.Headers.Location?.OriginalString);
        var attributes = Attributes(SetCookie(signedIn, SessionCookie)!);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);
        Assert.DoesNotContain("secure", attributes); // plain http://localhost in Development
        var session = await (await browser.GetAsync("/auth/session")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("dev-7", session.GetProperty("userId").GetString());
        Assert.Equal([Roles.Organizer, Roles.Scanner], Strings(session, "roles"));
        Assert.Equal(["org-1", "org-2"], Strings(session, "organizations"));
        Assert.Equal([eventId.ToString()], Strings(session, "events"));
    }

    [Fact]
    public async Task QuickButton_SignsInTheGateScannerOfOrganizer1()
    {
        var browser = Browser();
        var formToken = await SignInFormTokenAsync(browser);

        var signedIn = await browser.PostAsync("/auth/signin/development", Form(
            ("userId", "gate-1"), ("role", Roles.Scanner), ("organizations", "organizer-1"), ("returnUrl", "/gate"), ("__RequestVerificationToken", formToken)));

        Assert.Equal("/gate", signedIn.Headers.Location?.OriginalString);
        var session = await (await browser.GetAsync("/auth/session")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("gate-1", session.GetProperty("userId").GetString());
        Assert.Equal([Roles.Scanner], Strings(session, "roles"));
        Assert.Equal(["organizer-1"], Strings(session, "organizations"));
    }

    [Fact]
    public async Task DevelopmentSignIn_WithoutTheFormsAntiforgeryToken_Is400_AndSignsNobodyIn()
    {
        var browser = Browser();
        await SignInFormTokenAsync(browser);

        var forged = await browser.PostAsync("/auth/signin/development", Form(("userId", "csrf-operator"), ("role", Roles.Operator), ("returnUrl", "/")));

        await forged.AssertProblem(HttpStatusCode.BadRequest, "antiforgery");
        Assert.Null(SetCookie(forged, SessionCookie));
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/auth/session")).StatusCode);
    }

    [Theory]
    [InlineData("", "buyer", "", "A user id")]
    [InlineData("someone", "", "", "Choose one or more roles")]
    [InlineData("someone", "admin", "", "Choose one or more roles")]
    [InlineData("someone", "scanner", "not-an-event", "Events are event ids")]
    public async Task DevelopmentSignIn_WithAFormThatIsNotValid_ShowsThePageAgainWith422_AndSignsNobodyIn(string userId, string role, string events, string error)
    {
        var browser = Browser();
        var formToken = await SignInFormTokenAsync(browser);

        var refused = await browser.PostAsync("/auth/signin/development", Form(
            ("userId", userId), ("role", role), ("events", events), ("returnUrl", "/"), ("__RequestVerificationToken", formToken)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.Contains(error, html, StringComparison.Ordinal);
        Assert.Null(SetCookie(refused, SessionCookie));
    }

    /// <summary>A browser at http://localhost, as scripts/run.sh serves the silo in Development.</summary>
    private HttpClient Browser() => App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    private static string[] Strings(JsonElement element, string property) =>
        [.. element.GetProperty(property).EnumerateArray().Select(item => item.GetString()!)];

    /// <summary>The silo in the Development environment.</summary>
    public sealed class DevelopmentApp : IAsyncLifetime
    {
        public TicketingApp App { get; private set; } = null!;

        public async Task InitializeAsync() =>
            App = new TicketingApp(await TestDatabase.CreateAsync()) { Environment = "Development" }.Start();

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await App.Database.DisposeAsync();
        }
    }
}
