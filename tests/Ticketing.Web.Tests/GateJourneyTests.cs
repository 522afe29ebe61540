using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Playwright;
using QRCoder;
using Ticketing.Api.Auth;
using Ticketing.Testing;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Web.Tests;

/// <summary>
/// The gate page as a scanner uses it: picking the event and naming the gate,
/// then admitting tickets by typing, with a USB scanner (a keyboard wedge) and
/// with the camera; each answer as the page shows it and as the database holds it.
/// </summary>
public sealed class GateJourneyTests(WebWorld world) : IClassFixture<WebWorld>
{
    [Fact]
    public async Task Scanner_AdmitsTypedAndWedgeScannedTickets_ThenARescanShowsTheFirstAdmissionsTimeAndGate()
    {
        var title = $"Gate night {Guid.NewGuid().ToString()[..8]}";
        var (eventId, tierId) = await Purchases.EventAsync(world, title);
        var (_, tickets) = await Purchases.PaidOrderAsync(world, "gate-buyer-1", tierId, 2);
        var (first, second) = (Ticket.Of(tickets[0]), Ticket.Of(tickets[1]));
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, "gate-1", [Roles.Scanner], [Purchases.Organization]);

        await page.GotoAsync("/gate");
        var choice = page.GetByRole(AriaRole.Radio, new() { Name = title });
        await Expect(choice).ToBeVisibleAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "gate-pick");
        await choice.CheckAsync();
        await page.GetByLabel("Gate name").FillAsync("North 1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start scanning" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("Gate North 1")).ToBeVisibleAsync();
        var panel = Panel(page);
        await Expect(panel).ToContainTextAsync("Ready");
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        // Typed: the code into its field, then Enter.
        var code = page.GetByLabel("Ticket code");
        await code.FillAsync(first.Code);
        await code.PressAsync("Enter");
        await Expect(panel).ToHaveAttributeAsync("data-result", "admitted");
        await Expect(panel).ToContainTextAsync("Admitted");
        await Expect(panel).ToContainTextAsync($"Ticket {first.Short}");
        await Expect(code).ToBeEmptyAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "gate-admitted");

        // A USB scanner types fast and ends with Enter, wherever the focus is but a text field.
        await page.GetByRole(AriaRole.Heading, new() { Name = "This device" }).ClickAsync();
        Assert.False(await page.EvaluateAsync<bool>("() => document.activeElement.matches('input, textarea, select')"), "focus is still in a field");
        // Its keys come within a few ms of each other. Playwright's keyboard sends a key a round trip, which a
        // busy machine spaces past the page's gap between a scanner's keys; the burst is sent in the page instead.
        await page.EvaluateAsync(
            """
            code => {
              for (const key of [...code, "Enter"]) {
                document.activeElement.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
              }
            }
            """,
            second.Code);
        await Expect(panel).ToContainTextAsync($"Ticket {second.Short}");
        await Expect(panel).ToHaveAttributeAsync("data-result", "admitted");

        // A person's keys outside a field are not a scan.
        await page.Keyboard.TypeAsync("slowly", new() { Delay = 250 });
        await page.Keyboard.PressAsync("Enter");
        await Task.Delay(1000);
        await Expect(panel).ToContainTextAsync($"Ticket {second.Short}");

        // The first ticket again: amber, with when and where it went in.
        await code.FillAsync(first.Code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Scan", Exact = true }).ClickAsync();
        await Expect(panel).ToHaveAttributeAsync("data-result", "already_admitted");
        await Expect(panel).ToContainTextAsync("Already admitted");
        var admittedAt = (DateTime)(await world.Database.ScalarAsync("SELECT admitted_at FROM ticketing.tickets WHERE id = @id", ("id", first.Id)))!;
        var shown = Normalized(await panel.InnerTextAsync());
        Assert.Contains($"First scanned at {ClockTime(admittedAt)} at gate North 1.", shown, StringComparison.Ordinal);
        Assert.Contains("Scanned 2 times.", shown, StringComparison.Ordinal);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "gate-already");

        await ExpectCounts(page, admitted: 2, already: 1, refused: 0);
        await ExpectRecent(page, ("Already admitted", first.Short), ("Admitted", second.Short), ("Admitted", first.Short));

        Assert.Equal(1L, await AdmissionsAsync(first.Id));
        Assert.Equal(1L, await AdmissionsAsync(second.Id));
        Assert.Equal(3L, await world.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_scans WHERE event_id = @id", ("id", eventId)));
        Assert.Equal("North 1", await world.Database.ScalarAsync("SELECT admitted_gate FROM ticketing.tickets WHERE id = @id", ("id", second.Id)));

        // A reload (or a restart of the device's browser tab) goes on where it was.
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText("Gate North 1")).ToBeVisibleAsync();
        await ExpectCounts(page, admitted: 2, already: 1, refused: 0);
        await ExpectRecent(page, ("Already admitted", first.Short), ("Admitted", second.Short), ("Admitted", first.Short));
    }

    [Fact]
    public async Task OnAPhone_RefusedCodesShowRed_AndATicketScannedWithoutAConnectionIsAdmittedOnRetry()
    {
        var title = $"Gate phone {Guid.NewGuid().ToString()[..8]}";
        var (eventId, tierId) = await Purchases.EventAsync(world, title);
        var (orderId, tickets) = await Purchases.PaidOrderAsync(world, "gate-buyer-2", tierId, 2);
        var (refunded, valid) = (Ticket.Of(tickets[0]), Ticket.Of(tickets[1]));
        var (_, otherTier) = await Purchases.EventAsync(world, $"Other night {Guid.NewGuid().ToString()[..8]}");
        var (_, otherTickets) = await Purchases.PaidOrderAsync(world, "gate-buyer-3", otherTier, 1);
        var elsewhere = Ticket.Of(otherTickets[0]);
        await (await Purchases.Organizer(world).PostJson($"/api/orders/{orderId}/refund", new { ticketIds = new[] { refunded.Id } }))
            .AssertJson(HttpStatusCode.Accepted);
        await Sessions.Api(world, "gate-buyer-2", [Roles.Buyer]).WaitForStatusAsync(orderId, "partially_refunded", seconds: 60);

        var page = await world.NewPageAsync(phone: true);
        await Sessions.SignInAsync(page, "gate-2", [Roles.Scanner], [Purchases.Organization]);
        await page.GotoAsync("/gate");
        await page.GetByRole(AriaRole.Radio, new() { Name = title }).CheckAsync();
        await page.GetByLabel("Gate name").FillAsync("South");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start scanning" }).ClickAsync();
        var panel = Panel(page);
        var code = page.GetByLabel("Ticket code");

        await code.FillAsync(refunded.Code);
        await code.PressAsync("Enter");
        await Expect(panel).ToHaveAttributeAsync("data-result", "revoked");
        await Expect(panel).ToContainTextAsync("Revoked");
        await Expect(panel).ToContainTextAsync("Do not admit");
        await Expect(panel).ToBeInViewportAsync();
        var box = (await panel.BoundingBoxAsync())!;
        Assert.True(box.Width >= 340, $"the result panel is {box.Width}px wide on a 390px phone");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "gate-revoked");

        await code.FillAsync(elsewhere.Code);
        await code.PressAsync("Enter");
        await Expect(panel).ToHaveAttributeAsync("data-result", "wrong_event");
        await Expect(panel).ToContainTextAsync("Ticket for another event");
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        var unknownCode = TicketStoreToken();
        await code.FillAsync(unknownCode);
        await code.PressAsync("Enter");
        await Expect(panel).ToHaveAttributeAsync("data-result", "unknown");
        await Expect(panel).ToContainTextAsync("Unknown code");
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        // The Wi-Fi drops: nothing reaches the server, the page says so and retries on a tap.
        await page.Context.SetOfflineAsync(true);
        await code.FillAsync(valid.Code);
        await code.PressAsync("Enter");
        await Expect(panel).ToHaveAttributeAsync("data-result", "offline");
        await Expect(panel).ToContainTextAsync("No connection");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        Assert.Equal(0L, await world.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = @id", ("id", valid.Id)));
        await page.Context.SetOfflineAsync(false);
        await panel.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Expect(panel).ToHaveAttributeAsync("data-result", "admitted");
        await Expect(panel).ToContainTextAsync($"Ticket {valid.Short}");

        await ExpectCounts(page, admitted: 1, already: 0, refused: 3);
        await ExpectRecent(page, ("Admitted", valid.Short), ("No connection", "—"), ("Unknown code", "—"), ("Wrong event", elsewhere.Short), ("Revoked", refunded.Short));
        Assert.Equal(0L, await AdmissionsAsync(refunded.Id));
        Assert.Equal(0L, await AdmissionsAsync(elsewhere.Id));
        Assert.Equal(1L, await AdmissionsAsync(valid.Id));
        Assert.Equal(1L, await world.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.ticket_scans WHERE event_id = @id AND result = 'unknown' AND token_hint = @hint", ("id", eventId), ("hint", unknownCode[..6])));
    }

    [Fact]
    public async Task TheCamera_ReadsATicketsQrCode_AndAdmitsItOnce_WhileItStaysInView()
    {
        var title = $"Gate camera {Guid.NewGuid().ToString()[..8]}";
        var (_, tierId) = await Purchases.EventAsync(world, title);
        var (_, tickets) = await Purchases.PaidOrderAsync(world, "gate-buyer-4", tierId, 1);
        var ticket = Ticket.Of(tickets[0]);
        var video = Path.Combine(Path.GetTempPath(), $"gate-{Guid.NewGuid():N}.y4m");
        await File.WriteAllBytesAsync(video, QrVideo(ticket.Code));
        try
        {
            using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
            await using var browser = await WebWorld.LaunchAsync(playwright, $"--use-file-for-fake-video-capture={video}");
            var page = await world.NewPageAsync(browser);
            var scripts = new List<string>();
            page.Request += (_, request) => scripts.Add(request.Url);
            await Sessions.SignInAsync(page, "gate-4", [Roles.Scanner], [Purchases.Organization]);
            await page.GotoAsync("/gate");
            await page.GetByRole(AriaRole.Radio, new() { Name = title }).CheckAsync();
            await page.GetByLabel("Gate name").FillAsync("East");
            await page.GetByRole(AriaRole.Button, new() { Name = "Start scanning" }).ClickAsync();
            Assert.DoesNotContain(scripts, url => url.EndsWith("/vendor/jsqr.js", StringComparison.Ordinal));

            await page.GetByRole(AriaRole.Button, new() { Name = "Start camera" }).ClickAsync();

            var panel = Panel(page);
            await Expect(page.GetByText("Camera on")).ToBeVisibleAsync();
            await Expect(panel).ToHaveAttributeAsync("data-result", "admitted");
            await Expect(panel).ToContainTextAsync($"Ticket {ticket.Short}");
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop camera" })).ToBeVisibleAsync();
            await Accessibility.AssertNoSeriousViolationsAsync(page);
            if (!await page.EvaluateAsync<bool>("() => 'BarcodeDetector' in window"))
            {
                Assert.Contains(scripts, url => url.EndsWith("/vendor/jsqr.js", StringComparison.Ordinal));
            }

            // The code stays in front of the camera: it is not scanned again.
            await Task.Delay(4000);
            await Expect(panel).ToHaveAttributeAsync("data-result", "admitted");
            Assert.Equal(1L, await world.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = @id", ("id", ticket.Id)));
            await ExpectCounts(page, admitted: 1, already: 0, refused: 0);

            await page.GetByRole(AriaRole.Button, new() { Name = "Stop camera" }).ClickAsync();
            await Expect(page.GetByText("Camera off.")).ToBeVisibleAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('video').hidden"));
        }
        finally
        {
            File.Delete(video);
        }
    }

    [Fact]
    public async Task SignedInWithoutTheScannerRole_IsToldSo_WithAWayToSignInAsSomeoneElse()
    {
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, "gate-buyer-5", [Roles.Buyer]);

        await page.GotoAsync("/gate");

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("You are signed in as gate-buyer-5, who is not a scanner.");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in as someone else" })).ToHaveAttributeAsync("href", "/signin?returnUrl=%2Fgate");
        await Expect(page.GetByLabel("Ticket code")).ToHaveCountAsync(0);
        await Accessibility.AssertNoSeriousViolationsAsync(page);
    }

    [Fact]
    public async Task AScannerNarrowedToOneEvent_IsOfferedOnlyThatEvent()
    {
        var (mine, _) = await Purchases.EventAsync(world, $"Gate mine {Guid.NewGuid().ToString()[..8]}");
        var notMine = $"Gate not mine {Guid.NewGuid().ToString()[..8]}";
        await Purchases.EventAsync(world, notMine);
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, "gate-6", [Roles.Scanner], [Purchases.Organization], [mine]);

        await page.GotoAsync("/gate");

        var choices = page.GetByRole(AriaRole.Radio);
        await Expect(choices).ToHaveCountAsync(1);
        await Expect(choices).ToHaveAttributeAsync("value", mine.ToString());
        await Expect(choices).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = notMine })).ToHaveCountAsync(0);

        // Starting without a gate name is refused by the page, with the reason.
        await page.GetByRole(AriaRole.Button, new() { Name = "Start scanning" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Name this gate");
        await Expect(page.GetByLabel("Gate name")).ToBeFocusedAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
    }

    internal static ILocator Panel(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Scan result" });

    internal static async Task ExpectCounts(IPage page, int admitted, int already, int refused)
    {
        await Expect(page.Locator("[data-count='admitted']")).ToHaveTextAsync($"{admitted} Admitted");
        await Expect(page.Locator("[data-count='already-admitted']")).ToHaveTextAsync($"{already} Already admitted");
        await Expect(page.Locator("[data-count='refused']")).ToHaveTextAsync($"{refused} Refused");
    }

    /// <summary>The last scans table, newest first: each row's result and ticket.</summary>
    internal static async Task ExpectRecent(IPage page, params (string Result, string Ticket)[] rows)
    {
        var table = page.GetByRole(AriaRole.Table);
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(rows.Length);
        for (var i = 0; i < rows.Length; i++)
        {
            var cells = table.Locator("tbody tr").Nth(i).Locator("td");
            await Expect(cells.Nth(1)).ToHaveTextAsync(rows[i].Result);
            await Expect(cells.Nth(2)).ToHaveTextAsync(rows[i].Ticket);
        }
    }

    private Task<object?> AdmissionsAsync(Guid ticketId) => world.Database.ScalarAsync(
        "SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = @id AND result = 'admitted'", ("id", ticketId));

    private static string TicketStoreToken() => Ticketing.Persistence.Tickets.TicketStore.NewToken();

    /// <summary>Intl's spaces (a narrow no-break space before AM/PM) as plain ones.</summary>
    internal static string Normalized(string text) => text.Replace('\u202f', ' ').Replace('\u00a0', ' ');

    /// <summary>A time as the page shows it in en-US, UTC: "2:05:09 PM".</summary>
    internal static string ClockTime(DateTime at)
    {
        var utc = at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : at;
        var hour = utc.Hour % 12 == 0 ? 12 : utc.Hour % 12;
        return string.Create(CultureInfo.InvariantCulture, $"{hour}:{utc.Minute:00}:{utc.Second:00} {(utc.Hour < 12 ? "AM" : "PM")}");
    }

    /// <summary>
    /// A camera's view of the ticket: one frame of raw video (YUV4MPEG2, 4:2:0)
    /// with its QR code black on white, which Chromium's fake camera shows over and over.
    /// </summary>
    internal static byte[] QrVideo(string code)
    {
        const int width = 640, height = 480;
        using var generator = new QRCodeGenerator();
        using var qr = generator.CreateQrCode(code, QRCodeGenerator.ECCLevel.Q);
        var modules = qr.ModuleMatrix; // with its quiet zone
        var scale = 400 / modules.Count;
        var (left, top) = ((width - modules.Count * scale) / 2, (height - modules.Count * scale) / 2);
        var luma = new byte[width * height];
        Array.Fill(luma, (byte)255);
        for (var y = 0; y < modules.Count * scale; y++)
        {
            for (var x = 0; x < modules.Count * scale; x++)
            {
                if (modules[y / scale][x / scale])
                {
                    luma[((top + y) * width) + left + x] = 0;
                }
            }
        }

        var chroma = new byte[width * height / 2];
        Array.Fill(chroma, (byte)128);
        using var video = new MemoryStream();
        video.Write(Encoding.ASCII.GetBytes($"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\nFRAME\n"));
        video.Write(luma);
        video.Write(chroma);
        return video.ToArray();
    }

    /// <summary>A ticket as the gate sees it: its id, its code, and the short id the page shows.</summary>
    internal sealed record Ticket(Guid Id, string Code)
    {
        public string Short => Id.ToString()[^8..];

        public static Ticket Of(System.Text.Json.JsonElement ticket) =>
            new(ticket.GetProperty("id").GetGuid(), ticket.GetProperty("qrToken").GetString()!);
    }
}

/// <summary>The gate when its scanner goes over the scans' rate limit: the wait shown and counted down, then a retry.</summary>
public sealed class GateRateLimitTests(GateRateLimitTests.SlowGateWorld world) : IClassFixture<GateRateLimitTests.SlowGateWorld>
{
    /// <summary>A silo whose scanners may scan twice at once and once every ten seconds after.</summary>
    public sealed class SlowGateWorld : WebWorld
    {
        protected override void Configure(Dictionary<string, string?> settings)
        {
            settings["Ticketing:RateLimits:Scans:PerMinute"] = "6";
            settings["Ticketing:RateLimits:Scans:Burst"] = "2";
        }
    }

    [Fact]
    public async Task OverTheLimit_ThePanelSaysSlowDownWithTheWait_AndRetryAdmitsOnceTheWaitIsOver()
    {
        var title = $"Gate limit {Guid.NewGuid().ToString()[..8]}";
        var (_, tierId) = await Purchases.EventAsync(world, title);
        var (_, tickets) = await Purchases.PaidOrderAsync(world, "gate-buyer-7", tierId, 1);
        var ticket = GateJourneyTests.Ticket.Of(tickets[0]);
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, "gate-7", [Roles.Scanner], [Purchases.Organization]);
        await page.GotoAsync("/gate");
        await page.GetByRole(AriaRole.Radio, new() { Name = title }).CheckAsync();
        await page.GetByLabel("Gate name").FillAsync("West");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start scanning" }).ClickAsync();
        var panel = GateJourneyTests.Panel(page);
        var code = page.GetByLabel("Ticket code");

        foreach (var unknown in new[] { "unknown-code-1", "unknown-code-2" })
        {
            await code.FillAsync(unknown);
            await code.PressAsync("Enter");
            await Expect(panel).ToContainTextAsync("Unknown code");
            await Expect(page.Locator("[data-count='refused'] .count-number")).ToHaveTextAsync(unknown[^1..]);
        }

        await code.FillAsync(ticket.Code);
        await code.PressAsync("Enter");

        await Expect(panel).ToHaveAttributeAsync("data-result", "rate-limited");
        await Expect(panel).ToContainTextAsync("Slow down");
        await Expect(panel).ToContainTextAsync("wait 10 s, then retry");
        var retry = panel.GetByRole(AriaRole.Button, new() { Name = "Retry" });
        await Expect(retry).ToBeDisabledAsync();
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "gate-slow-down");
        Assert.Equal(0L, await world.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = @id", ("id", ticket.Id)));

        await Expect(retry).ToBeEnabledAsync(new() { Timeout = 20_000 });
        await Expect(panel).ToContainTextAsync("Ready to retry");
        await retry.ClickAsync();

        await Expect(panel).ToHaveAttributeAsync("data-result", "admitted");
        await Expect(panel).ToContainTextAsync($"Ticket {ticket.Short}");
        await GateJourneyTests.ExpectCounts(page, admitted: 1, already: 0, refused: 2);
        Assert.Equal(1L, await world.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = @id AND result = 'admitted'", ("id", ticket.Id)));
    }
}
