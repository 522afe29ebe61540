using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Web.Tests;

/// <summary>A world whose holds last seconds, not minutes: a journey sees them run out.</summary>
public sealed class ShortHoldsWorld : WebWorld
{
    public static readonly TimeSpan HoldLifetime = TimeSpan.FromSeconds(20);

    protected override void Configure(Dictionary<string, string?> settings) =>
        settings["Ticketing:Holds:Ttl"] = HoldLifetime.ToString();
}

/// <summary>What a buyer sees when time runs out: a hold's countdown reaching zero, an order not paid in time.</summary>
public sealed class StorefrontExpiryTests(ShortHoldsWorld world) : IClassFixture<ShortHoldsWorld>
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

    private async Task<JsonElement> TierAsync(Guid tierId)
    {
        using var anonymous = new HttpClient { BaseAddress = world.Silo.Address };
        return await (await anonymous.GetAsync(new Uri($"/api/tiers/{tierId}", UriKind.Relative))).AssertJson(HttpStatusCode.OK);
    }
}
