using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Ticketing.Api.Auth;
using Ticketing.Grains.OnSales;
using Ticketing.Testing;
using static Microsoft.Playwright.Assertions;

namespace Ticketing.Web.Tests;

/// <summary>
/// A buyer at the storefront, clicking and typing as a person does: what the
/// page shows, and what the system then holds (over the API and in the
/// database). Every page state a journey reaches is checked with axe.
/// </summary>
public sealed partial class StorefrontJourneyTests(WebWorld world) : IClassFixture<WebWorld>
{
    /// <summary>Long enough for the webhook, issuance and a long poll's answer on a busy machine.</summary>
    private const float TicketsTimeout = 60_000;

    [Fact]
    public async Task ABuyer_BuysTwoTickets_FromTheEventsPageToTheirQrCodes()
    {
        var title = Unique("Harbour Lights");
        var (eventId, tierId) = await Purchases.EventAsync(world, title);
        var buyerId = Id("buyer");
        var page = await world.NewPageAsync();

        // The events page lists the event with its lowest price.
        await page.GotoAsync("/");
        var card = page.Locator("li.event", new() { HasText = title });
        await Expect(card.GetByRole(AriaRole.Link, new() { Name = title })).ToBeVisibleAsync();
        await Expect(card).ToContainTextAsync("From €25.00");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "storefront-events");

        // The event's page: its tier, price and availability.
        await card.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/\\?event={eventId}$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        var tier = page.Locator($"li.tier[data-tier='{tierId}']");
        await Expect(tier).ToContainTextAsync("General admission");
        await Expect(tier).ToContainTextAsync("€25.00");
        await Expect(tier).ToContainTextAsync("100 of 100 left");
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "storefront-event");

        // Holding needs a buyer: the real sign-in page, then back to this event with the choice kept.
        await page.GetByLabel("How many General admission tickets").SelectOptionAsync("2");
        await tier.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?returnUrl="));
        await page.GetByLabel("User id").FillAsync(buyerId);
        await page.GetByLabel("buyer", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"/\\?event={eventId}$"));
        await Expect(tier).ToContainTextAsync($"Signed in as {buyerId}");
        await Expect(page.GetByLabel("How many General admission tickets")).ToHaveValueAsync("2");
        await tier.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();

        // The hold, counting down from the hold's lifetime.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your tickets on hold" })).ToBeFocusedAsync();
        var hold = page.Locator("li.hold");
        await Expect(hold).ToContainTextAsync("2 × General admission");
        var timer = hold.GetByRole(AriaRole.Timer);
        var first = await timer.TextContentAsync();
        Assert.Matches(@"^1[45]:\d\d$", first);
        await Expect(timer).Not.ToHaveTextAsync(first!, new() { Timeout = 5_000 });
        await Expect(tier).ToContainTextAsync("98 of 100 left", new() { Timeout = 15_000 });
        var held = await TierAsync(tierId);
        Assert.Equal(2, held.GetProperty("reserved").GetInt32());

        // A contact the API refuses: its own words, on the field, and no order.
        await page.GetByLabel("Email").FillAsync("not-an-email");
        await page.GetByLabel("Name").FillAsync("Ada Lovelace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        var email = page.GetByLabel("Email");
        await Expect(email).ToHaveAttributeAsync("aria-invalid", "true");
        await Expect(page.Locator("#contact-email-error")).ToHaveTextAsync("Email is required: an e-mail address.");
        await Expect(email).ToBeFocusedAsync();
        Assert.Equal(0L, await OrdersOfAsync(buyerId));
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "storefront-hold");

        // Paying on the emulator's hosted page, and back to the order.
        await email.FillAsync("ada@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();
        await PayOnEmulatorAsync(page, "4242 4242 4242 4242");
        var orderId = await BackAtOrderAsync(page);

        // The tickets: two, each with its code as text and as a QR image that decodes to it.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your 2 tickets" })).ToBeVisibleAsync(new() { Timeout = TicketsTimeout });
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your tickets are ready");
        var shown = await ShownTicketsAsync(page);
        var buyer = Sessions.Api(world, buyerId, [Roles.Buyer]);
        var order = await buyer.GetOrderAsync(orderId);
        Assert.Equal("fulfilled", order.GetProperty("status").GetString());
        Assert.Equal(eventId, order.GetProperty("eventId").GetGuid());
        var tickets = await buyer.TicketsAsync(orderId);
        Assert.Equal(2, tickets.Length);
        Assert.Equal(
            tickets.ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("qrToken").GetString()!).OrderBy(p => p.Key),
            shown.OrderBy(p => p.Key));
        Assert.Equal("ada@example.com", await ScalarAsync("SELECT contact_email FROM ticketing.orders WHERE id = @id", ("id", orderId)));
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "storefront-tickets");

        // Printed: the tickets with their codes, without the page around them.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.GetByRole(AriaRole.Banner)).ToBeHiddenAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Print tickets" })).ToBeHiddenAsync();
        await Expect(page.GetByText("Order summary")).ToBeHiddenAsync();
        await Expect(page.Locator("li.ticket img.qr").First).ToBeVisibleAsync();
        await Expect(page.Locator("li.ticket img.qr").Last).ToBeVisibleAsync();
    }

    [Fact]
    public async Task AQueuedOnSale_ShowsTheBuyersPlace_ThenAdmitsThemByItself_OnAPhone()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, Unique("Night Market"));
        var opensAt = DateTimeOffset.UtcNow.AddSeconds(10);
        (await Purchases.Organizer(world).PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt, admitPerMinute = 600 }))
            .EnsureSuccessStatusCode();
        var buyerId = Id("buyer");
        var page = await world.NewPageAsync(phone: true);
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);
        var loads = 0;
        page.Load += (_, _) => loads++;

        await page.GotoAsync($"/?event={eventId}");
        var room = page.Locator("section.room");
        await Expect(room.GetByRole(AriaRole.Heading, new() { Name = "Waiting room" })).ToBeVisibleAsync();
        await Expect(page.GetByText("You can hold tickets once the waiting room lets you in.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("How many General admission tickets")).ToBeHiddenAsync();

        await room.GetByRole(AriaRole.Button, new() { Name = "Join the waiting room" }).ClickAsync();
        await Expect(room.GetByRole(AriaRole.Status)).ToHaveTextAsync("You are in the waiting room. Your place in line: 1.");
        await Expect(room.Locator(".position")).ToHaveTextAsync("1");
        await Expect(room).ToContainTextAsync("Estimated turn");
        var place = await Sessions.Api(world, buyerId, [Roles.Buyer]).GetFromJsonAsync<JsonElement>($"/api/events/{eventId}/queue");
        Assert.Equal("waiting", place.GetProperty("status").GetString());
        await Accessibility.AssertNoSeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "storefront-waiting");

        // Admitted by itself: the page was loaded once.
        await Expect(room.GetByRole(AriaRole.Status)).ToContainTextAsync("It is your turn", new() { Timeout = 60_000 });
        Assert.Equal(1, loads);
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        await page.GetByLabel("How many General admission tickets").SelectOptionAsync("1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        var hold = page.Locator("li.hold");
        await Expect(hold).ToContainTextAsync("1 × General admission");
        var holdId = await hold.GetAttributeAsync("data-hold");
        var stored = await Sessions.Api(world, buyerId, [Roles.Buyer]).GetFromJsonAsync<JsonElement>($"/api/holds/{holdId}");
        Assert.Equal("active", stored.GetProperty("status").GetString());
        Assert.Equal(tierId, stored.GetProperty("tierId").GetGuid());
        Assert.Equal(1, (await TierAsync(tierId)).GetProperty("reserved").GetInt32());
    }

    [Fact]
    public async Task AWaitingPageFarFromItsTurn_RestsBetweenLooks_AndIsStillLetInByItself()
    {
        // 64 buyers ahead, eight on each of the room's shards (a place is estimated from its shard), admitted one a second.
        var (eventId, _) = await Purchases.EventAsync(world, Unique("Long Line"));
        var opensAt = DateTimeOffset.UtcNow.AddSeconds(1);
        (await Purchases.Organizer(world).PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt, admitPerMinute = 60 }))
            .EnsureSuccessStatusCode();
        var buyerId = Id("buyer");
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);
        await page.GotoAsync($"/?event={eventId}");
        var room = page.Locator("section.room");
        await Expect(room.GetByRole(AriaRole.Button, new() { Name = "Join the waiting room" })).ToBeVisibleAsync();

        var ahead = Enumerable.Range(0, QueueShards.Count)
            .Select(shard => Enumerable.Range(0, 1000).Select(_ => Id("ahead")).Where(id => QueueShards.Of(id) == shard).Take(8).ToArray())
            .ToArray();
        // They and the buyer join after the opening's first round (places taken in it are drawn): in arrival order.
        await Task.Delay(opensAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3));
        for (var turn = 0; turn < 8; turn++)
        {
            // One of each shard at a time, so the line moves on every shard alike.
            foreach (var shard in ahead)
            {
                (await Sessions.Api(world, shard[turn], [Roles.Buyer]).PostAsync($"/api/events/{eventId}/queue", null)).EnsureSuccessStatusCode();
            }
        }

        // Each request for the buyer's place (its join and its reads): when it was sent, and when its answer came.
        var asked = new List<(DateTimeOffset At, string Method, string Url, bool Answer)>();
        void Note(string method, string url, bool answer)
        {
            if (url.Contains($"/api/events/{eventId}/queue", StringComparison.Ordinal))
            {
                lock (asked)
                {
                    asked.Add((DateTimeOffset.UtcNow, method, url, answer));
                }
            }
        }

        page.Request += (_, request) => Note(request.Method, request.Url, answer: false);
        page.Response += (_, response) => Note(response.Request.Method, response.Url, answer: true);
        await room.GetByRole(AriaRole.Button, new() { Name = "Join the waiting room" }).ClickAsync();
        await Expect(room.Locator(".position")).Not.ToHaveTextAsync("1");

        await Expect(room.GetByRole(AriaRole.Status)).ToContainTextAsync("It is your turn", new() { Timeout = 120_000 });
        (DateTimeOffset At, string Method, string Url, bool Answer)[] seen;
        lock (asked)
        {
            seen = [.. asked];
        }

        // Joined after the opening, its place is in arrival order and its estimate holds: it rested at least
        // 10 s after the join's answer, then looked (answered at once) instead of holding a poll open.
        var reads = seen.Where(request => request.Method == "GET" && !request.Answer).ToArray();
        Assert.True(reads.Length > 0 && !reads[0].Url.Contains("waitSeconds", StringComparison.Ordinal),
            $"The first read was not a look: {string.Join(", ", reads.Select(request => request.Url))}");
        var rested = reads[0].At - seen.Last(answer => answer.Answer && answer.At < reads[0].At).At;
        Assert.True(rested >= TimeSpan.FromSeconds(9.5), $"The look came {rested.TotalSeconds:0.0} s after the join's answer.");
        // Near its turn it long-polls, 20 s at a time, and hears of its admission from that poll.
        Assert.EndsWith("?waitSeconds=20", reads[^1].Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APollReachingPastTheOpening_EndsAtThePagesOwnMomentAfterIt()
    {
        var (eventId, _) = await Purchases.EventAsync(world, Unique("Staggered Doors"));
        var opensAt = DateTimeOffset.UtcNow.AddSeconds(14);
        (await Purchases.Organizer(world).PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt, admitPerMinute = 60 }))
            .EnsureSuccessStatusCode();
        var page = await world.NewPageAsync();
        // The page's own moment after the opening is drawn at random from 2 to 20 s: pinned here to its earliest.
        await page.AddInitScriptAsync("Math.random = () => 0;");
        await Sessions.SignInAsync(page, Id("buyer"), [Roles.Buyer]);
        await page.GotoAsync($"/?event={eventId}");
        var room = page.Locator("section.room");
        var polls = new List<(DateTimeOffset At, string Url)>();
        page.Request += (_, request) =>
        {
            if (request.Method == "GET" && request.Url.Contains($"/api/events/{eventId}/queue?waitSeconds=", StringComparison.Ordinal))
            {
                lock (polls)
                {
                    polls.Add((DateTimeOffset.UtcNow, request.Url));
                }
            }
        };

        await room.GetByRole(AriaRole.Button, new() { Name = "Join the waiting room" }).ClickAsync();
        await Expect(room.GetByRole(AriaRole.Status)).ToContainTextAsync("It is your turn", new() { Timeout = 60_000 });

        (DateTimeOffset At, string Url)[] sent;
        lock (polls)
        {
            sent = [.. polls];
        }

        // The poll sent before the opening that reaches past it asks to wait only until 2 s after the opening, not 20 s.
        var across = sent.Where(poll => poll.At < opensAt).Select(poll => (poll.At, Seconds: int.Parse(poll.Url[(poll.Url.LastIndexOf('=') + 1)..], CultureInfo.InvariantCulture)))
            .Where(poll => poll.At.AddSeconds(poll.Seconds) > opensAt).ToArray();
        var poll = Assert.Single(across);
        Assert.True(poll.Seconds < 20, $"It asked {poll.Seconds} s.");
        var ends = poll.At.AddSeconds(poll.Seconds) - opensAt;
        Assert.InRange(ends, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task ADeclinedCard_ShowsThePaymentFailed_AndTheBuyerPaysAgain()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, Unique("Quay Stage"));
        var buyerId = Id("buyer");
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);

        await page.GotoAsync($"/?event={eventId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await Expect(page.Locator("li.hold")).ToContainTextAsync("1 × General admission");
        await page.GetByLabel("Email").FillAsync("grace@example.com");
        await page.GetByLabel("Name").FillAsync("Grace Hopper");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to payment" }).ClickAsync();

        await PayOnEmulatorAsync(page, "4000 0000 0000 0002");
        var orderId = await BackAtOrderAsync(page);
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Your payment did not go through");
        var buyer = Sessions.Api(world, buyerId, [Roles.Buyer]);
        await buyer.WaitForStatusAsync(orderId, "payment_failed");
        await Expect(page.Locator("section.state")).ToContainTextAsync("Nothing was charged.");
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Try again: pay €25.00" }).ClickAsync();
        await PayOnEmulatorAsync(page, "4242 4242 4242 4242");
        Assert.Equal(orderId, await BackAtOrderAsync(page));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your ticket" })).ToBeVisibleAsync(new() { Timeout = TicketsTimeout });
        Assert.Single(await ShownTicketsAsync(page));
        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        Assert.Equal(1, (await TierAsync(tierId)).GetProperty("issued").GetInt32());
    }

    [Fact]
    public async Task ATierSoldOut_IsMarked_AndAHoldLostToAnotherBuyer_SaysSo()
    {
        var title = Unique("Small Room");
        var (eventId, tierId) = await Purchases.EventAsync(world, title, capacity: 2);
        var buyerId = Id("buyer");
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);
        await page.GotoAsync($"/?event={eventId}");
        var tier = page.Locator($"li.tier[data-tier='{tierId}']");

        // Holding both, then releasing them: they go back on sale.
        await page.GetByLabel("How many General admission tickets").SelectOptionAsync("2");
        await tier.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        await Expect(tier).ToContainTextAsync("Sold out");
        await Expect(tier).ToContainTextAsync("You hold 2");
        await page.Locator("li.hold").GetByRole(AriaRole.Button, new() { Name = "Release" }).ClickAsync();
        await Expect(page.Locator("section.holding")).ToContainTextAsync("Released 2 tickets of General admission: they are back on sale.");
        await Expect(tier).ToContainTextAsync("Only 2 left");
        Assert.Equal(0, (await TierAsync(tierId)).GetProperty("reserved").GetInt32());

        // Another buyer takes both just before this buyer's hold reaches the silo (the
        // request waits for the rival's): the hold is refused, and the page catches up.
        var rival = Sessions.Api(world, Id("rival"), [Roles.Buyer]);
        var rivalHeld = false;
        await page.RouteAsync("**/api/holds", async route =>
        {
            if (route.Request.Method == "POST" && !rivalHeld)
            {
                rivalHeld = true;
                await rival.HoldAsync(tierId, 2);
            }

            await route.ContinueAsync();
        });
        await page.GetByLabel("How many General admission tickets").SelectOptionAsync("2");
        await tier.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        var refusal = tier.GetByRole(AriaRole.Alert);
        await Expect(refusal).ToHaveAttributeAsync("data-problem", "sold-out");
        await Expect(refusal).ToContainTextAsync("There are no longer 2 tickets of General admission left");
        await Expect(tier.Locator(".availability")).ToHaveTextAsync("Sold out");
        await Expect(page.GetByLabel("How many General admission tickets")).ToBeHiddenAsync();
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM ticketing.ticket_holds WHERE user_id = @user AND status = 'active'", ("user", buyerId)));
        await Accessibility.AssertNoSeriousViolationsAsync(page);

        // Sold out on the events page too.
        Assert.True(rivalHeld);
        await page.GotoAsync("/");
        await Expect(page.Locator("li.event", new() { HasText = title })).ToContainTextAsync("Sold out");
    }

    [Fact]
    public async Task ABuyerAtTheEventsCap_IsToldTheCap_AndHoldsNothingMore()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, Unique("Capped Night"));
        (await Purchases.Organizer(world).PutAsJsonAsync(
            $"/api/events/{eventId}/onsale", new { opensAt = DateTimeOffset.UtcNow.AddSeconds(-1), admitPerMinute = 600, maxPerBuyer = 2 }))
            .EnsureSuccessStatusCode();
        var buyerId = Id("buyer");
        var buyer = Sessions.Api(world, buyerId, [Roles.Buyer]);
        await OnSaleSetup.JoinAsync(buyer, eventId);
        var pass = OnSaleSetup.Pass(await OnSaleSetup.AdmittedAsync(buyer, eventId, TimeSpan.FromSeconds(60)));
        var hold = await (await OnSaleSetup.HoldAsync(buyer, tierId, 2, pass)).AssertJson(HttpStatusCode.Created);
        await buyer.PlaceOrderAsync(hold.GetProperty("id").GetGuid());

        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, buyerId, [Roles.Buyer]);
        await page.GotoAsync($"/?event={eventId}");
        await Expect(page.Locator("section.room").GetByRole(AriaRole.Status)).ToContainTextAsync("It is your turn");
        await Expect(page.GetByText("Each buyer may have at most 2 tickets for this event.")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();

        var refusal = page.Locator($"li.tier[data-tier='{tierId}']").GetByRole(AriaRole.Alert);
        await Expect(refusal).ToHaveAttributeAsync("data-problem", "buyer-limit");
        await Expect(refusal).ToContainTextAsync("Each buyer may have at most 2 tickets for this event at once");
        await Expect(page.Locator("li.hold")).ToHaveCountAsync(0);
        Assert.Equal(2, (await TierAsync(tierId)).GetProperty("reserved").GetInt32());
        await Accessibility.AssertNoSeriousViolationsAsync(page);
    }

    [Fact]
    public async Task AnAccountThatIsNotABuyer_IsToldItCannotBuy_AndHoldsNothing()
    {
        var (eventId, tierId) = await Purchases.EventAsync(world, Unique("Staff Only"));
        var page = await world.NewPageAsync();
        await Sessions.SignInAsync(page, Purchases.Organization, [Roles.Organizer]);
        await page.GotoAsync($"/?event={eventId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Hold tickets" }).ClickAsync();
        var refusal = page.Locator($"li.tier[data-tier='{tierId}']").GetByRole(AriaRole.Alert);
        await Expect(refusal).ToHaveAttributeAsync("data-problem", "forbidden");
        await Expect(refusal).ToContainTextAsync($"You are signed in as {Purchases.Organization}, an account that cannot buy tickets.");
        await Expect(refusal.GetByRole(AriaRole.Link, new() { Name = "Sign in as a buyer" })).ToHaveAttributeAsync("href", $"/signin?returnUrl=%2F%3Fevent%3D{eventId}");
        Assert.Equal(0, (await TierAsync(tierId)).GetProperty("reserved").GetInt32());
        await Accessibility.AssertNoSeriousViolationsAsync(page);
    }

    /// <summary>On the Stripe emulator's hosted page: the card, then pay; it sends the browser back to the storefront.</summary>
    private async Task PayOnEmulatorAsync(IPage page, string card)
    {
        await Expect(page).ToHaveURLAsync(new Regex($"^{Regex.Escape(world.Stripe.Address.ToString())}"));
        await page.GetByLabel("Card number").FillAsync(card);
        await page.GetByLabel("Expiry (MM / YY)").FillAsync($"12 / {(DateTime.UtcNow.Year + 3) % 100:00}");
        await page.GetByLabel("CVC").FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Pay") }).ClickAsync();
    }

    /// <summary>Back on the order's page, whose address no longer carries the payment page's answer; answers the order id.</summary>
    private static async Task<Guid> BackAtOrderAsync(IPage page)
    {
        await Expect(page).ToHaveURLAsync(OrderPage(), new() { Timeout = 30_000 });
        return Guid.Parse(OrderPage().Match(page.Url).Groups["id"].Value);
    }

    /// <summary>
    /// The tickets as the page shows them: each one's code text, and its QR
    /// image (loaded from the API) decoded in the page by jsQR; they must agree.
    /// </summary>
    private static async Task<Dictionary<string, string>> ShownTicketsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Url = "/vendor/jsqr.js" });
        var shown = await page.EvaluateAsync<JsonElement>(
            """
            async () => Promise.all([...document.querySelectorAll("li.ticket")].map(async (item) => {
              const image = item.querySelector("img.qr");
              await image.decode();
              const canvas = document.createElement("canvas");
              canvas.width = image.naturalWidth;
              canvas.height = image.naturalHeight;
              const context = canvas.getContext("2d");
              context.fillStyle = "#fff";
              context.fillRect(0, 0, canvas.width, canvas.height);
              context.drawImage(image, 0, 0);
              const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
              return {
                id: item.dataset.ticket,
                text: item.querySelector(".code code").textContent,
                decoded: jsQR(pixels.data, pixels.width, pixels.height)?.data ?? null,
                width: image.naturalWidth,
              };
            }))
            """);
        var tickets = new Dictionary<string, string>();
        foreach (var ticket in shown.EnumerateArray())
        {
            Assert.True(ticket.GetProperty("width").GetInt32() > 0, $"the QR image of {ticket} did not load");
            Assert.Equal(ticket.GetProperty("text").GetString(), ticket.GetProperty("decoded").GetString());
            tickets[ticket.GetProperty("id").GetString()!] = ticket.GetProperty("text").GetString()!;
        }

        return tickets;
    }

    private async Task<JsonElement> TierAsync(Guid tierId)
    {
        using var anonymous = new HttpClient { BaseAddress = world.Silo.Address };
        return await (await anonymous.GetAsync(new Uri($"/api/tiers/{tierId}", UriKind.Relative))).AssertJson(HttpStatusCode.OK);
    }

    private async Task<long> OrdersOfAsync(string buyerId) =>
        (long)(await ScalarAsync("SELECT count(*) FROM ticketing.orders WHERE user_id = @user", ("user", buyerId)))!;

    private Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters) =>
        world.Database.ScalarAsync(sql, parameters);

    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..8]}";

    private static string Id(string role) => $"{role}-{Guid.NewGuid().ToString("N")[..12]}";

    [GeneratedRegex("/\\?order=(?<id>[0-9a-f-]{36})$")]
    private static partial Regex OrderPage();
}
