using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Web.Tests;

/// <summary>
/// A world whose holds last seconds, not minutes, and whose buyers may hold
/// only a few times in a row: journeys see time and patience run out.
/// </summary>
public sealed class TightWorld : WebWorld
{
    public static readonly TimeSpan HoldLifetime = TimeSpan.FromSeconds(20);

    /// <summary>Holds (and reads of them) a buyer may send at once; then one every 10 s.</summary>
    public const int HoldsBurst = 3;

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["Ticketing:Holds:Ttl"] = HoldLifetime.ToString();
        settings["Ticketing:RateLimits:Holds:PerMinute"] = "6";
        settings["Ticketing:RateLimits:Holds:Burst"] = HoldsBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>
/// What a buyer sees when time or the rate limit runs out: a hold's countdown
/// reaching zero, an order not paid in time, holding too often.
/// </summary>
public sealed class StorefrontLimitsTests(TightWorld world) : IClassFixture<TightWorld>
{
    [Fact]
    public async Task AHoldThatRunsOut_IsSaidToHaveGoneBackOnSale_AndIsBackOnSale()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, $"Short Hold {Guid.NewGuid():N}"[..19], capacity: 5);
        var buyerId = $"buyer-{Guid.NewGuid():N}"[..18];
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);
        await page.GotoAsync($"/?event={eventId}");
        var tier = page.Locator($"li.tier[data-tier='{tierId}']");

        await page.GetByLabel("How many General admission tickets").SelectOptionAsync("2");
        await tier.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await Expect(page.Locator("li.hold").GetByRole(AriaRole.Timer)).ToHaveTextAsync(new Regex(@"^0:[0-2]\d$"));
        await Expect(tier).ToContainTextAsync("Only 3 left", new() { Timeout = 10_000 });

        var ranOut = page.Locator("[data-notice='hold-expired']");
        await Expect(ranOut).ToContainTextAsync("Your hold of 2 tickets of General admission ran out", new() { Timeout = 40_000 });
        await Expect(ranOut).ToContainTextAsync("the tickets went back on sale");
        await Expect(page.Locator("li.hold")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" })).ToBeHiddenAsync();
        await Expect(tier).ToContainTextAsync("Only 5 left", new() { Timeout = 15_000 });
        Assert.Equal(0, (await TierAsync(tierId)).GetProperty("reserved").GetInt32());
        await Accessibility.AssertNoSeriousViolationsAsync(page);
    }

    [Fact]
    public async Task AnOrderNotPaidInTime_ShowsItExpired_AndItsTicketsGoBack()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, $"Late Payer {Guid.NewGuid():N}"[..19], capacity: 5);
        var buyerId = $"buyer-{Guid.NewGuid():N}"[..18];
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);
        await page.GotoAsync($"/?event={eventId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await page.GetByLabel("Email").FillAsync("late@example.com");
        await page.GetByLabel("Name").FillAsync("Late Payer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();

        // The buyer leaves the payment page without paying and comes back to the event.
        await Expect(page).Not.ToHaveURLAsync(new Regex($"\\?event={eventId}$"), new() { Timeout = 15_000 });
        await page.GotoAsync($"/?event={eventId}");
        var unpaid = page.GetByRole(AriaRole.Link, new() { Name = "Pay or cancel the order" });
        await Expect(unpaid).ToBeVisibleAsync();
        await unpaid.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Waiting for your payment");
        await Expect(page.Locator("section.state").GetByRole(AriaRole.Timer)).ToHaveTextAsync(new Regex(@"^0:[0-2]\d$"));
        var orderId = Guid.Parse(new Uri(page.Url).Query.Split('=')[1]);

        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("This order expired", new() { Timeout = 60_000 });
        await Expect(page.Locator("section.state")).ToContainTextAsync("its tickets went back on sale");
        var order = await Sessions.Api(world, buyerId, [Roles.Buyer]).GetOrderAsync(orderId);
        Assert.Equal("expired", order.GetProperty("status").GetString());
        Assert.Equal(0, (await TierAsync(tierId)).GetProperty("reserved").GetInt32());
        await Accessibility.AssertNoSeriousViolationsAsync(page);
    }

    [Fact]
    public async Task HoldingTooOften_ShowsTheWait_ThenHoldsByItself()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, $"Busy Buyer {Guid.NewGuid():N}"[..19], capacity: 10);
        var buyerId = $"buyer-{Guid.NewGuid():N}"[..18];
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);
        await page.GotoAsync($"/?event={eventId}");
        var tier = page.Locator($"li.tier[data-tier='{tierId}']");
        var quantity = page.GetByLabel("How many General admission tickets");

        // The burst's holds go through at once; the next waits the Retry-After the silo sent, and says so.
        for (var held = 1; held <= TightWorld.HoldsBurst; held++)
        {
            await quantity.SelectOptionAsync(held.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await tier.Locator("form button").ClickAsync();
            await Expect(page.Locator("li.hold")).ToContainTextAsync($"{held} × General admission");
        }

        await quantity.SelectOptionAsync("4");
        await tier.GetByRole(AriaRole.Button, new() { Name = "Change hold" }).ClickAsync();
        var wait = tier.Locator("[data-wait='429']");
        await Expect(wait).ToContainTextAsync(new Regex(@"^Too many requests for now\. Trying again in \d+ s\.$"));
        await Expect(tier.GetByRole(AriaRole.Button, new() { Name = "Holding…" })).ToBeDisabledAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        await Expect(page.Locator("li.hold")).ToContainTextAsync("4 × General admission", new() { Timeout = 30_000 });
        await Expect(wait).ToHaveCountAsync(0);
        Assert.Equal(4, (await TierAsync(tierId)).GetProperty("reserved").GetInt32());
    }

    private async Task<JsonElement> TierAsync(Guid tierId)
    {
        using var anonymous = new HttpClient { BaseAddress = world.Silo.Address };
        return await (await anonymous.GetAsync(new Uri($"/api/tiers/{tierId}", UriKind.Relative))).AssertJson(HttpStatusCode.OK);
    }
}
