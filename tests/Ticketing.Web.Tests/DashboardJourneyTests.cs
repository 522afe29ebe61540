using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Web.Tests;

/// <summary>
/// An on-call engineer reaching the Orleans dashboard in Chromium, on a silo
/// process in Production over HTTPS (the session cookie is Secure there):
/// sent to sign-in, a pasted operator token, the console, its link to the
/// dashboard, and the dashboard drawing the live cluster.
/// </summary>
public sealed class DashboardJourneyTests(ProductionSilo production) : IClassFixture<ProductionSilo>, IAsyncLifetime
{
    private IPlaywright playwright = null!;
    private IBrowser browser = null!;

    [Fact]
    public async Task Operator_SignsInWithAToken_AndOpensTheDashboardFromTheConsole()
    {
        var page = await NewPageAsync();

        await page.GotoAsync("/console");
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?returnUrl=%2Fconsole$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        // Production offers no sign-in that mints roles.
        await Expect(page.GetByText("Development: sign in as")).ToHaveCountAsync(0);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await page.GetByLabel("Bearer token").FillAsync(TicketingApp.Token("oncall-1", [Roles.Operator], [], []));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with this token" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/console$"));
        var link = page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" });
        await Expect(link).ToBeVisibleAsync();
        await link.ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/dashboard/?$"));
        // The dashboard's script has drawn the cluster from its data calls, which the session authorized.
        await Expect(page.GetByText("Active Silos").First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "DashboardGrain" }).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Screenshots.TakeAsync(page, "dashboard");
    }

    [Fact]
    public async Task Buyer_SignedIn_IsRefusedTheDashboard()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/signin?returnUrl=%2Fdashboard%2F");
        await page.GetByLabel("Bearer token").FillAsync(TicketingApp.Token("buyer-1", [Roles.Buyer], [], []));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with this token" }).ClickAsync();

        await Expect(page.GetByText("forbidden").First).ToBeVisibleAsync();
        Assert.DoesNotContain("Active Silos", await page.ContentAsync(), StringComparison.Ordinal);
    }

    public async Task InitializeAsync()
    {
        WebWorld.RequireChromium();
        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        browser = await WebWorld.LaunchAsync(playwright);
    }

    public async Task DisposeAsync()
    {
        await browser.DisposeAsync();
        playwright.Dispose();
    }

    /// <summary>A fresh profile on the silo's HTTPS address; its certificate is the test's own, which this browser is told to accept.</summary>
    private Task<IPage> NewPageAsync()
    {
        var options = WebWorld.PageOptions(production.Https);
        options.IgnoreHTTPSErrors = true;
        return WebWorld.NewPageAsync(browser, options);
    }
}
