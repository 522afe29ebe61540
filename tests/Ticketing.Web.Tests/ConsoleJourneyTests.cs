using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Web.Tests;

/// <summary>
/// The organizer console used as its people use it: an organizer sets up an
/// event and sells it, finds a buyer's order by e-mail address and refunds it,
/// and the refunded ticket no longer admits; an operator reads the alerts and
/// runs a reconciliation. Each step checks what the page shows and what the
/// system then holds, and every state reached is checked with axe.
/// </summary>
public sealed class ConsoleJourneyTests(WebWorld world) : IClassFixture<WebWorld>
{
    private static readonly LocatorAssertionsToHaveTextOptions Live = new() { Timeout = 20_000 };

    [Fact]
    public async Task Organizer_SetsUpAnEvent_FindsAPaidOrderByEmail_AndRefundsIt_SoTheGateRefusesTheTicket()
    {
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, Purchases.Organization, [Roles.Organizer]);
        var title = $"Console night {Guid.NewGuid():N}"[..24];

        // The events of the organization.
        await page.GotoAsync("/console");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your events", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create an event" })).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        // A new event, then a tier.
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByLabel("Starts at").FillAsync(DateTime.UtcNow.AddDays(60).ToString("yyyy-MM-dd'T'20:00", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Venue (optional)").FillAsync("Main hall");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-state=no-tiers]")).ToContainTextAsync("No tiers yet");
        await Expect(page.Locator("[data-readiness=no_tiers]")).ToContainTextAsync("No tiers");
        var eventId = Guid.Parse(Regex.Match(page.Url, "#/event/([0-9a-f-]{36})").Groups[1].Value);

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("General admission");
        await page.GetByLabel("Price", new() { Exact = true }).FillAsync("25.00");
        await page.GetByLabel("Capacity", new() { Exact = true }).FillAsync("100");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tier" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Tier General admission added" })).ToBeVisibleAsync();
        var row = page.Locator("[data-list=tiers] tbody tr", new() { HasText = "General admission" });
        await Expect(row.Locator("[data-field=capacity]")).ToHaveTextAsync("100");
        await Expect(row.Locator("[data-field=available]")).ToHaveTextAsync("100");
        await Expect(row).ToContainTextAsync("€25.00");

        var created = await EventAsync(eventId);
        Assert.Equal(Purchases.Organization, created.GetProperty("organizationId").GetString());
        Assert.Equal("Main hall", created.GetProperty("venue").GetString());
        var tier = Assert.Single(created.GetProperty("tiers").EnumerateArray());
        Assert.Equal(2500, tier.GetProperty("priceCents").GetInt64());
        Assert.Equal("eur", tier.GetProperty("currency").GetString());
        Assert.Equal(100, tier.GetProperty("capacity").GetInt32());
        var tierId = tier.GetProperty("id").GetGuid();

        // A buyer pays for two tickets; the live figures follow without a reload.
        var (orderId, tickets) = await Purchases.PaidOrderAsync(world, "buyer-console", tierId, 2, "Ada.Lovelace@example.org");
        await Expect(row.Locator("[data-field=issued]")).ToHaveTextAsync("2", Live);
        await Expect(row.Locator("[data-field=available]")).ToHaveTextAsync("98", Live);
        await Expect(page.Locator("[data-readiness=ready]")).ToContainTextAsync("Ready", new() { Timeout = 20_000 });

        // Capacity: raised, then refused below what is sold.
        await row.GetByRole(AriaRole.Button, new() { Name = "Change capacity" }).ClickAsync();
        await page.GetByLabel("New capacity of General admission").FillAsync("120");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save capacity" }).ClickAsync();
        await Expect(page.Locator("[data-state=capacity-saved]")).ToContainTextAsync("now 120: 118 available");
        await Expect(row.Locator("[data-field=capacity]")).ToHaveTextAsync("120");
        await Expect(row.Locator("[data-field=available]")).ToHaveTextAsync("118");
        Assert.Equal(120, (await TierAsync(tierId)).GetProperty("capacity").GetInt32());

        await page.GetByLabel("New capacity of General admission").FillAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save capacity" }).ClickAsync();
        await Expect(page.Locator("[data-problem=capacity-below-committed]")).ToContainTextAsync("can't go below the tickets already held by buyers and issued");
        Assert.Equal(120, (await TierAsync(tierId)).GetProperty("capacity").GetInt32());

        // An on-sale for the next release.
        await Expect(page.Locator("[data-onsale=none]")).ToContainTextAsync("No on-sale");
        await page.GetByLabel("Opens at").FillAsync(DateTime.Now.AddDays(7).ToString("yyyy-MM-dd'T'10:00", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Buyers admitted a minute").FillAsync("600");
        await page.GetByLabel("Tickets a buyer (optional)").FillAsync("4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set on-sale" }).ClickAsync();
        await Expect(page.Locator("[data-onsale=scheduled]")).ToContainTextAsync("Scheduled");
        await Expect(page.Locator("[data-onsale=scheduled] [data-field=waiting]")).ToHaveTextAsync("0");
        var onSale = await (await Anonymous().GetAsync($"/api/events/{eventId}/onsale")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(600, onSale.GetProperty("admitPerMinute").GetInt32());
        Assert.Equal(4, onSale.GetProperty("maxPerBuyer").GetInt32());
        Assert.Equal("scheduled", onSale.GetProperty("status").GetString());
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "console-event");

        // The order, found by the buyer's address in other capitals.
        await page.GetByRole(AriaRole.Link, new() { Name = "Orders", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Orders", Level = 1 })).ToBeVisibleAsync();
        await page.GetByLabel("Buyer's e-mail address or order number").FillAsync("ada.lovelace@EXAMPLE.org");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        var found = page.Locator($"[data-order='{orderId}']");
        await Expect(found).ToContainTextAsync(title);
        await Expect(found).ToContainTextAsync("Fulfilled");
        await Expect(found).ToContainTextAsync("€50.00");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await found.GetByRole(AriaRole.Link).ClickAsync();

        // The order: refunded whole, after saying what it does.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Order {orderId.ToString()[..8]}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-list=tickets] tbody tr")).ToHaveCountAsync(2);
        await Expect(page.Locator("[data-list=tickets] [data-status=issued]")).ToHaveCountAsync(2);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "console-order");

        await page.GetByRole(AriaRole.Button, new() { Name = "Refund the whole order" }).ClickAsync();
        var confirmation = page.GetByRole(AriaRole.Alertdialog);
        await Expect(confirmation).ToContainTextAsync("Refund 2 tickets, €50.00?");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        Assert.Equal("fulfilled", (await OrderAsync(orderId)).GetProperty("status").GetString()); // nothing happens before the confirmation
        await confirmation.GetByRole(AriaRole.Button, new() { Name = "Yes, refund" }).ClickAsync();
        await Expect(page.Locator("[data-state=refunded]")).ToContainTextAsync("Refunded: €50.00 back to the buyer", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-order] [data-status=refunded]")).ToHaveTextAsync("Refunded");
        await Expect(page.Locator("[data-list=tickets] [data-status=refunded]")).ToHaveCountAsync(2);

        var refunded = await OrderAsync(orderId);
        Assert.Equal("refunded", refunded.GetProperty("status").GetString());
        Assert.Equal(5000, refunded.GetProperty("refundedCents").GetInt64());
        Assert.All(await Purchases.Organizer(world).TicketsAsync(orderId), ticket => Assert.Equal("refunded", ticket.GetProperty("status").GetString()));

        // At the gate, the refunded ticket is refused.
        var scannerPage = await world.NewPageAsync();
        await Sessions.SignInAsync(scannerPage, "gate-1", [Roles.Scanner], [Purchases.Organization]);
        await scannerPage.GotoAsync("/gate");
        await scannerPage.GetByRole(AriaRole.Radio, new() { Name = title }).CheckAsync();
        await scannerPage.GetByLabel("Gate name").FillAsync("North");
        await scannerPage.GetByRole(AriaRole.Button, new() { Name = "Start scanning" }).ClickAsync();
        var code = scannerPage.GetByLabel("Ticket code");
        await code.FillAsync(tickets[0].GetProperty("qrToken").GetString()!);
        await code.PressAsync("Enter");
        var result = GateJourneyTests.Panel(scannerPage);
        await Expect(result).ToHaveAttributeAsync("data-result", "revoked");
        await Expect(result).ToContainTextAsync("Revoked");
        Assert.Equal("revoked", await world.Database.ScalarAsync(
            "SELECT result FROM ticketing.ticket_scans WHERE ticket_id = @id ORDER BY scanned_at DESC LIMIT 1", ("id", tickets[0].GetProperty("id").GetGuid())));
        Assert.Equal(DBNull.Value, await world.Database.ScalarAsync("SELECT admitted_at FROM ticketing.tickets WHERE id = @id", ("id", tickets[0].GetProperty("id").GetGuid())));
    }

    [Fact]
    public async Task Organizer_FindsAnOrderByItsNumber_RefundsOneTicket_AndGivesAnotherANewCode()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, "Partial night");
        var (orderId, tickets) = await Purchases.PaidOrderAsync(world, "buyer-partial", tierId, 3);
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, Purchases.Organization, [Roles.Organizer]);

        await page.GotoAsync("/console#/orders");
        await page.GetByLabel("Buyer's e-mail address or order number").FillAsync($"  {orderId.ToString().ToUpperInvariant()} ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Order {orderId.ToString()[..8]}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("[data-list=tickets] [data-status=issued]")).ToHaveCountAsync(3);

        // Nothing picked: said, and nothing asked of Stripe.
        await page.GetByRole(AriaRole.Button, new() { Name = "Refund selected tickets" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "Select the tickets to refund first." })).ToBeVisibleAsync();

        await page.GetByLabel("Refund ticket #2 General admission").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Refund selected tickets" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("Refund 1 ticket, €25.00?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, refund" }).ClickAsync();
        await Expect(page.Locator("[data-state=refunded]")).ToContainTextAsync("Refunded: €25.00 back to the buyer. The order is now partly refunded.", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-list=tickets] [data-status=refunded]")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-list=tickets] [data-status=issued]")).ToHaveCountAsync(2);

        var order = await OrderAsync(orderId);
        Assert.Equal("partially_refunded", order.GetProperty("status").GetString());
        Assert.Equal(2500, order.GetProperty("refundedCents").GetInt64());
        var buyer = Sessions.Api(world, "buyer-partial", [Roles.Buyer]);
        var after = await buyer.TicketsAsync(orderId);
        Assert.Equal(["issued", "refunded", "issued"], after.Select(ticket => ticket.GetProperty("status").GetString()));

        // A new code for ticket #1: the old one stops admitting, the new one admits.
        var first = page.Locator("[data-list=tickets] tbody tr", new() { HasText = "#1" });
        await first.GetByRole(AriaRole.Button, new() { Name = "New code" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("Give ticket #1 General admission a new code?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, new code" }).ClickAsync();
        await Expect(page.Locator("[data-state=reissued]")).ToContainTextAsync("Ticket #1 General admission has a new code.");
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        var oldCode = tickets[0].GetProperty("qrToken").GetString();
        var newCode = (await buyer.TicketsAsync(orderId))[0].GetProperty("qrToken").GetString();
        Assert.NotEqual(oldCode, newCode);
        var scanner = Sessions.Api(world, "gate-1", [Roles.Scanner], [Purchases.Organization]);
        Assert.Equal("revoked", await ScanAsync(scanner, oldCode, eventId));
        Assert.Equal("admitted", await ScanAsync(scanner, newCode, eventId));

        // Another organization's organizer learns nothing of it.
        var other = await world.NewPageAsync();
        await Sessions.SignInAsync(other, "organizer-elsewhere", [Roles.Organizer]);
        await other.GotoAsync($"/console#/order/{orderId}");
        await Expect(other.Locator("[data-problem=not-found]")).ToContainTextAsync("No such order among your organization's events.");
        await other.GotoAsync($"/console#/event/{eventId}");
        await Expect(other.Locator("[data-problem=not-found]")).ToContainTextAsync("No such event among your organization's events.");
        await Expect(other.GetByRole(AriaRole.Button, new() { Name = "Add tier" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Organizer_OnAPhone_StartsWithNoEvents_AndSetsOneUp()
    {
        var page = await world.NewPageAsync(phone: true);
        await Sessions.SignInAsync(page, "organizer-phone", [Roles.Organizer]);

        await page.GotoAsync("/console");
        await Expect(page.Locator("[data-state=empty]")).ToContainTextAsync("No upcoming events yet.");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "console-events");

        // Mistakes are named at their fields before anything is sent.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();
        await Expect(page.GetByLabel("Title")).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.GetByLabel("Title")).ToBeFocusedAsync();
        await Expect(page.Locator("[data-problem=validation]")).ToContainTextAsync("Give the event a title.");
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        await page.GetByLabel("Title").FillAsync("Pocket gig");
        await page.GetByLabel("Starts at").FillAsync(DateTime.Now.AddDays(10).ToString("yyyy-MM-dd'T'21:00", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create event" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Pocket gig", Level = 1 })).ToBeVisibleAsync();

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Standing");
        await page.GetByLabel("Price", new() { Exact = true }).FillAsync("12,5");
        await page.GetByLabel("Currency").SelectOptionAsync("gbp");
        await page.GetByLabel("Capacity", new() { Exact = true }).FillAsync("40");
        await page.GetByLabel("Tickets an order (optional)").FillAsync("4");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add tier" }).ClickAsync();
        var row = page.Locator("[data-list=tiers] tbody tr", new() { HasText = "Standing" });
        await Expect(row).ToContainTextAsync("£12.50");
        await Expect(row.Locator("[data-field=available]")).ToHaveTextAsync("40");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        // The tiers' table scrolls within itself: the page stays as wide as the phone.
        Assert.Equal(390, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"));

        var events = await (await Anonymous().GetAsync("/api/events?organizationId=organizer-phone")).AssertJson(HttpStatusCode.OK);
        var tier = Assert.Single(Assert.Single(events.EnumerateArray()).GetProperty("tiers").EnumerateArray());
        Assert.Equal(1250, tier.GetProperty("priceCents").GetInt64());
        Assert.Equal("gbp", tier.GetProperty("currency").GetString());
        Assert.Equal(4, tier.GetProperty("maxPerOrder").GetInt32());

        // An on-sale set, then removed after the confirmation.
        await page.GetByLabel("Opens at").FillAsync(DateTime.Now.AddDays(2).ToString("yyyy-MM-dd'T'09:00", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Buyers admitted a minute").FillAsync("120");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set on-sale" }).ClickAsync();
        await Expect(page.Locator("[data-onsale=scheduled]")).ToBeVisibleAsync();
        var eventId = Assert.Single(events.EnumerateArray()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await Anonymous().GetAsync($"/api/events/{eventId}/onsale")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove on-sale" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync("Remove the on-sale?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Yes, remove it" }).ClickAsync();
        await Expect(page.Locator("[data-onsale=none]")).ToBeVisibleAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await Anonymous().GetAsync($"/api/events/{eventId}/onsale")).StatusCode);
    }

    [Fact]
    public async Task FindingOrders_WhenTheOrganizerIsOverItsRate_ShowsTheWait_AndTryingAgainAnswers()
    {
        const string Organizer = "organizer-eager";
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, Organizer, [Roles.Organizer]);
        await page.GotoAsync("/console#/orders");
        await page.GetByLabel("Buyer's e-mail address or order number").FillAsync("nobody@example.org");

        // The same user's bucket, kept empty over the API while the page searches: each token
        // refilled is taken at once, so the page's request is the one over the rate.
        var api = Sessions.Api(world, Organizer, [Roles.Organizer]);
        var refused = new TaskCompletionSource();
        using var hammering = new CancellationTokenSource();
        var hammer = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!hammering.IsCancellationRequested)
            {
                try
                {
                    using var answer = await api.GetAsync("/api/orders?email=nobody%40example.org", hammering.Token);
                    if (answer.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        refused.TrySetResult();
                    }
                }
                catch (OperationCanceledException)
                {
                }
            }
        })));
        await refused.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await page.GetByRole(AriaRole.Button, new() { Name = "Find" }).ClickAsync();
        await Expect(page.Locator("[data-problem=rate-limited]")).ToContainTextAsync("Too many requests: wait");
        await hammering.CancelAsync();
        await hammer;
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        // The bucket refills a token a second once nobody takes them.
        await page.WaitForTimeoutAsync(2_000);
        await page.GetByRole(AriaRole.Button, new() { Name = "Try again" }).ClickAsync();
        await Expect(page.Locator("[data-state=no-orders]")).ToContainTextAsync("No order of your events has the address nobody@example.org.");
        await Expect(page.Locator("[data-problem=rate-limited]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Operator_ReadsTheAlerts_RunsAReconciliation_AndFindsTheTools()
    {
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, "oncall-1", [Roles.Operator]);

        await page.GotoAsync("/console");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Operations", Level = 1 })).ToBeVisibleAsync();
        var alerts = page.Locator("[data-list=alerts] tbody tr");
        await Expect(alerts.First).ToBeVisibleAsync();
        await Expect(page.Locator("[data-alert=paid_orders_missing_tickets]")).ToContainTextAsync("P0");
        await Expect(page.Locator("[data-alert=paid_orders_missing_tickets]")).ToContainTextAsync("docs/runbook.md#paid_orders_missing_tickets");
        var evaluated = await (await Sessions.Api(world, "oncall-1", [Roles.Operator]).GetAsync("/api/ops/alerts")).AssertJson(HttpStatusCode.OK);
        await Expect(alerts).ToHaveCountAsync(evaluated.GetArrayLength());
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Orleans dashboard" })).ToHaveAttributeAsync("href", "/dashboard");
        await Expect(page.GetByText("Grafana: no address is configured")).ToBeVisibleAsync();

        var latest = await Sessions.Api(world, "oncall-1", [Roles.Operator]).GetAsync("/api/ops/reconciliation/latest");
        if (latest.StatusCode == HttpStatusCode.NotFound)
        {
            await Expect(page.Locator("[data-state=no-reconciliation]")).ToContainTextAsync("No reconciliation has run yet.");
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Run a reconciliation now" }).ClickAsync();
        await Expect(page.Locator("[data-state=reconciled], [data-state=differences]")).ToContainTextAsync("Orders compared with Stripe", new() { Timeout = 60_000 });
        var report = await (await Sessions.Api(world, "oncall-1", [Roles.Operator]).GetAsync("/api/ops/reconciliation/latest")).AssertJson(HttpStatusCode.OK);
        var startedAt = report.GetProperty("startedAt").GetDateTimeOffset();
        Assert.True(DateTimeOffset.UtcNow - startedAt < TimeSpan.FromMinutes(1), $"the latest reconciliation started at {startedAt}");
        await Expect(page.Locator("[data-field=compared]"))
            .ToHaveTextAsync(report.GetProperty("revenue").GetProperty("orders").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "console-operator");

        // Events and orders are their organizers'.
        await page.GotoAsync("/console#/orders");
        await Expect(page.Locator("[data-state=wrong-role]")).ToContainTextAsync("As an operator, see Operations.");
    }

    [Fact]
    public async Task ABuyer_IsToldTheConsoleIsNotForThem_AndNobodySignedIn_IsSentToSignIn()
    {
        var buyer = await world.NewPageAsync();
        await Sessions.SignInAsync(buyer, "buyer-curious", [Roles.Buyer]);
        await buyer.GotoAsync("/console");
        await Expect(buyer.Locator("[data-state=wrong-role]")).ToContainTextAsync("The console is for organizers and operators.");
        await Expect(buyer.GetByRole(AriaRole.Link, new() { Name = "Go to the storefront" })).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(buyer);

        var stranger = await world.NewPageAsync();
        await stranger.GotoAsync("/console#/orders");
        await Expect(stranger).ToHaveURLAsync(new Regex("/signin\\?returnUrl=%2Fconsole$"));
        await Expect(stranger.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();
    }

    private static async Task<string?> ScanAsync(HttpClient scanner, string? token, Guid eventId) =>
        (await (await scanner.PostJson("/api/scans", new { token, eventId, gate = "north" })).AssertJson(HttpStatusCode.OK))
            .GetProperty("result").GetString();

    private HttpClient Anonymous() => new() { BaseAddress = world.Silo.Address };

    private async Task<JsonElement> EventAsync(Guid eventId) =>
        await (await Anonymous().GetAsync($"/api/events/{eventId}")).AssertJson(HttpStatusCode.OK);

    private async Task<JsonElement> TierAsync(Guid tierId) =>
        await (await Anonymous().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);

    private async Task<JsonElement> OrderAsync(Guid orderId) =>
        await (await Purchases.Organizer(world).GetAsync($"/api/orders/{orderId}")).AssertJson(HttpStatusCode.OK);
}
