using System.Net;
using System.Net.Http.Headers;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Ticketing.Api.Tests.BrowserSessions;

namespace Ticketing.Api.Tests;

/// <summary>
/// The Orleans dashboard in a browser, on a silo process in Production over
/// HTTPS (the session cookie is Secure): without a session a page goes to
/// sign-in, an operator's session opens the dashboard and its data calls, a
/// buyer's is forbidden.
/// </summary>
public sealed class DashboardInProductionTests(ProductionSilo production) : IClassFixture<ProductionSilo>
{
    [Fact]
    public async Task Dashboard_WithoutASession_SendsTheBrowserToSignIn_WhichOffersNoDevelopmentSignIn()
    {
        using var browser = production.Browser();

        var dashboard = await browser.GetAsync("/dashboard/");
        var signIn = await browser.GetAsync(dashboard.Headers.Location!);
        var html = await signIn.Content.ReadAsStringAsync();
        var development = await browser.PostAsync("/auth/signin/development", Form(
            ("userId", "intruder"), ("role", Roles.Operator), ("returnUrl", "/dashboard/"), ("__RequestVerificationToken", FormToken(html))));
        using var dataCall = new HttpRequestMessage(HttpMethod.Get, "/dashboard/DashboardCounters");
        dataCall.Headers.Accept.ParseAdd("application/json"); // the dashboard's script asking for data: a 401, not a redirect
        var data = await browser.SendAsync(dataCall);

        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Equal("/signin?returnUrl=%2Fdashboard%2F", dashboard.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.Contains("action=\"/auth/session\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/auth/signin/development", html, StringComparison.Ordinal);
        await development.AssertProblem(HttpStatusCode.NotFound, "not-found");
        await data.AssertProblem(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task Dashboard_ForAnOperatorsSession_OpensWithItsDataCalls()
    {
        using var browser = production.Browser();
        using var page = await browser.GetAsync("/signin?returnUrl=%2Fdashboard%2F");
        var formToken = FormToken(await page.Content.ReadAsStringAsync());

        var signedIn = await browser.PostAsync("/auth/session", Form(
            ("token", TicketingApp.Token("oncall-1", [Roles.Operator], [], [])), ("returnUrl", "/dashboard/"), ("__RequestVerificationToken", formToken)));

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/dashboard/", signedIn.Headers.Location?.OriginalString);
        var attributes = Attributes(SetCookie(signedIn, SessionCookie)!);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=lax", attributes);

        var dashboard = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal("text/html", dashboard.Content.Headers.ContentType?.MediaType);
        foreach (var data in new[] { "/dashboard/version", "/dashboard/DashboardCounters", "/dashboard/ClusterStats", "/dashboard/index.min.js" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, data);
            request.Headers.Accept.ParseAdd("application/json, text/javascript, */*");
            using var answer = await browser.SendAsync(request);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{data}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task Dashboard_ForABuyersSession_IsForbidden()
    {
        using var browser = production.Browser();
        using var start = new HttpRequestMessage(HttpMethod.Post, "/auth/session");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TicketingApp.Token("buyer-1", [Roles.Buyer], [], []));
        Assert.Equal(HttpStatusCode.NoContent, (await browser.SendAsync(start)).StatusCode);

        var dashboard = await browser.GetAsync("/dashboard/");

        await dashboard.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task SignInOverPlainHttp_InProduction_SaysSessionsNeedHttps()
    {
        using var plain = new HttpClient { BaseAddress = production.Silo.Address };

        var page = await plain.GetAsync("/signin");

        var problem = await page.AssertProblem(HttpStatusCode.BadRequest, "https-required");
        Assert.Contains("ASPNETCORE_FORWARDEDHEADERS_ENABLED", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
