using System.Net;
using System.Net.Http.Json;
using Ticketing.Api.Auth;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// Two organizations side by side over HTTP: each organizer and scanner
/// reaches its own organization's events and nothing of the other's; the
/// platform-wide routes are the operator's. (Refusals of every route are in
/// <see cref="AuthorizationMatrixTests"/>.)
/// </summary>
public sealed class OrganizationsTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task OwnOrganization_OrganizerAndScanner_DoEverything()
    {
        var organizer = App.ClientFor("carol", [Roles.Organizer], ["org-own"], []);
        var scanner = App.ClientFor("gate-own", [Roles.Scanner], ["org-own"], []);
        var buyer = App.Buyer("buyer-own");
        var eventId = await CreateEventAsync(organizer, "Own night");
        var tierId = await CreateTierAsync(organizer, eventId, capacity: 10);

        var changed = await (await organizer.PatchAsJsonAsync($"/api/tiers/{tierId}", new { capacity = 12 })).AssertJson(HttpStatusCode.OK);
        var orderId = await App.PaidOrderAsync(buyer, tierId, 2);
        var order = await (await organizer.GetAsync($"/api/orders/{orderId}")).AssertJson(HttpStatusCode.OK);
        var tickets = await organizer.TicketsAsync(orderId);
        var ticketId = tickets[0].GetProperty("id").GetGuid();
        await (await organizer.GetAsync($"/api/tickets/{ticketId}")).AssertJson(HttpStatusCode.OK);
        await (await organizer.PostAsync($"/api/tickets/{ticketId}/reissue", null)).AssertJson(HttpStatusCode.OK);
        var readiness = await (await organizer.GetAsync($"/api/ops/readiness?eventId={eventId}")).AssertJson(HttpStatusCode.OK);
        var code = (await buyer.TicketsAsync(orderId))[1].GetProperty("qrToken").GetString();
        var scan = await (await scanner.PostJson("/api/scans", new { token = code, eventId, gate = "east" })).AssertJson(HttpStatusCode.OK);
        var refund = await (await organizer.PostJson($"/api/orders/{orderId}/refund", new { ticketIds = new[] { ticketId } })).AssertJson(HttpStatusCode.Accepted);

        Assert.Equal(12, changed.GetProperty("capacity").GetInt32());
        Assert.Equal(eventId, order.GetProperty("eventId").GetGuid());
        Assert.Equal(2, tickets.Length);
        Assert.Equal(eventId, Assert.Single(readiness.EnumerateArray()).GetProperty("eventId").GetGuid());
        Assert.Equal("admitted", scan.GetProperty("result").GetString());
        Assert.Equal(orderId, refund.GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task OtherOrganization_ReachesNothing_AndChangesNothing()
    {
        var owner = App.ClientFor("dave", [Roles.Organizer], ["org-first"], []);
        var intruder = App.ClientFor("erin", [Roles.Organizer], ["org-second"], []);
        var intruderScanner = App.ClientFor("gate-second", [Roles.Scanner], ["org-second"], []);
        var buyer = App.Buyer("buyer-first");
        var eventId = await CreateEventAsync(owner, "First's night");
        var tierId = await CreateTierAsync(owner, eventId, capacity: 10);
        var orderId = await App.PaidOrderAsync(buyer, tierId, 1);
        var ticket = Assert.Single(await buyer.TicketsAsync(orderId));
        var ticketId = ticket.GetProperty("id").GetGuid();

        await (await intruder.PostJson($"/api/events/{eventId}/tiers", new { name = "Extra", priceCents = 100, currency = "eur", capacity = 1000 }))
            .AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.PatchAsJsonAsync($"/api/tiers/{tierId}", new { capacity = 1 })).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.GetAsync($"/api/orders/{orderId}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.GetAsync($"/api/orders/{orderId}/tickets")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.GetAsync($"/api/tickets/{ticketId}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.PostJson($"/api/orders/{orderId}/refund", new { })).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.PostAsync($"/api/tickets/{ticketId}/reissue", null)).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruder.GetAsync($"/api/ops/readiness?eventId={eventId}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await intruderScanner.PostJson("/api/scans", new { token = ticket.GetProperty("qrToken").GetString(), eventId }))
            .AssertProblem(HttpStatusCode.Forbidden, "forbidden");

        var tier = await (await App.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(10, tier.GetProperty("capacity").GetInt32());
        Assert.Single((await (await App.CreateClient().GetAsync($"/api/events/{eventId}")).AssertJson(HttpStatusCode.OK)).GetProperty("tiers").EnumerateArray());
        Assert.Equal("fulfilled", (await buyer.GetOrderAsync(orderId)).GetProperty("status").GetString());
        Assert.Equal(ticket.GetProperty("qrToken").GetString(), Assert.Single(await buyer.TicketsAsync(orderId)).GetProperty("qrToken").GetString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_scans WHERE ticket_id = @id", ("id", ticketId)));
    }

    [Fact]
    public async Task Grains_RefuseAnotherOrganization_EvenWhenCalledDirectly()
    {
        var organizer = App.ClientFor("frank", [Roles.Organizer], ["org-grain"], []);
        var buyer = App.Buyer("buyer-grain");
        var eventId = await CreateEventAsync(organizer, "Grain night");
        var tierId = await CreateTierAsync(organizer, eventId, capacity: 10);
        var orderId = await App.PaidOrderAsync(buyer, tierId, 1);

        var capacity = await App.Grains().GetGrain<Abstractions.Tiers.ITicketTierGrain>(tierId).ChangeCapacity(1, "org-other");
        var refund = await App.Grains().GetGrain<Abstractions.Orders.IOrderGrain>(orderId).Refund(null, "org-other");

        Assert.Equal(Abstractions.Tiers.TierOutcome.TierNotFound, capacity.Outcome);
        Assert.Equal(Abstractions.Orders.OrderOutcome.NotFound, refund.Outcome);
        Assert.Equal(10, (await (await App.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK)).GetProperty("capacity").GetInt32());
        var order = await buyer.GetOrderAsync(orderId);
        Assert.Equal("fulfilled", order.GetProperty("status").GetString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.audit_log WHERE entity = 'order' AND entity_id = @id AND action LIKE 'refund%'", ("id", orderId.ToString())));
    }

    [Fact]
    public async Task CreateEvent_NamesTheOrganization_OrTakesTheOnlyOne()
    {
        var personal = App.ClientFor("grace", Roles.Organizer);
        var single = App.ClientFor("heidi", [Roles.Organizer], ["org-single"], []);
        var several = App.ClientFor("ivan", [Roles.Organizer], ["org-x", "org-y"], []);

        var own = await (await personal.PostJson("/api/events", new { title = "Personal", startsAt = "2031-02-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);
        var only = await (await single.PostJson("/api/events", new { title = "Single", startsAt = "2031-02-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);
        var named = await (await several.PostJson("/api/events", new { title = "Named", startsAt = "2031-02-01T20:00:00Z", organizationId = "org-y" }))
            .AssertJson(HttpStatusCode.Created);
        var unnamed = await several.PostJson("/api/events", new { title = "Unnamed", startsAt = "2031-02-01T20:00:00Z" });
        var notTheirs = await single.PostJson("/api/events", new { title = "Not theirs", startsAt = "2031-02-01T20:00:00Z", organizationId = "org-x" });

        Assert.Equal("grace", own.GetProperty("organizationId").GetString());
        Assert.Equal("org-single", only.GetProperty("organizationId").GetString());
        Assert.Equal("org-y", named.GetProperty("organizationId").GetString());
        var problem = await unnamed.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("organizationId", out _));
        await notTheirs.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.events WHERE title IN ('Unnamed', 'Not theirs')"));
        Assert.Equal("org-y", await fixture.Database.ScalarAsync("SELECT organization_id FROM ticketing.events WHERE title = 'Named'"));
    }

    [Fact]
    public async Task ListEvents_ByOrganization_ShowsOnlyItsEvents()
    {
        var first = App.ClientFor("judy", [Roles.Organizer], ["org-list-1"], []);
        var second = App.ClientFor("karl", [Roles.Organizer], ["org-list-2"], []);
        var mine = await CreateEventAsync(first, "Listed first");
        await CreateEventAsync(second, "Listed second");

        var listed = await (await App.CreateClient().GetAsync("/api/events?organizationId=org-list-1")).AssertJson(HttpStatusCode.OK);

        var only = Assert.Single(listed.EnumerateArray());
        Assert.Equal(mine, only.GetProperty("id").GetGuid());
        Assert.Equal("org-list-1", only.GetProperty("organizationId").GetString());
    }

    [Fact]
    public async Task Scanner_NarrowedToEvents_ScansOnlyThose()
    {
        var organizer = App.ClientFor("leo", [Roles.Organizer], ["org-gates"], []);
        var buyer = App.Buyer("buyer-gates");
        var first = await CreateEventAsync(organizer, "Gates one");
        var second = await CreateEventAsync(organizer, "Gates two");
        var firstTier = await CreateTierAsync(organizer, first, capacity: 5);
        var secondTier = await CreateTierAsync(organizer, second, capacity: 5);
        var firstCode = Assert.Single(await buyer.TicketsAsync(await App.PaidOrderAsync(buyer, firstTier, 1))).GetProperty("qrToken").GetString();
        var secondCode = Assert.Single(await buyer.TicketsAsync(await App.PaidOrderAsync(buyer, secondTier, 1))).GetProperty("qrToken").GetString();
        var narrowed = App.ClientFor("gate-narrow", [Roles.Scanner], ["org-gates"], [second]);

        var refused = await narrowed.PostJson("/api/scans", new { token = firstCode, eventId = first });
        var admitted = await (await narrowed.PostJson("/api/scans", new { token = secondCode, eventId = second })).AssertJson(HttpStatusCode.OK);

        await refused.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("admitted", admitted.GetProperty("result").GetString());
        Assert.Equal(0L, await fixture.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.ticket_scans s JOIN ticketing.tickets t ON t.id = s.ticket_id WHERE t.tier_id = @tier", ("tier", firstTier)));
    }

    [Fact]
    public async Task Readiness_ForAnOrganizer_CountsOnlyItsEvents_AndAnOperatorSeesAll()
    {
        var first = App.ClientFor("mia", [Roles.Organizer], ["org-ready-1"], []);
        var second = App.ClientFor("ned", [Roles.Organizer], ["org-ready-2"], []);
        var mine = await CreateEventAsync(first, "Ready first");
        var theirs = await CreateEventAsync(second, "Ready second");

        var own = await (await first.GetAsync("/api/ops/readiness")).AssertJson(HttpStatusCode.OK);
        var all = await (await App.Operator().GetAsync("/api/ops/readiness")).AssertJson(HttpStatusCode.OK);

        Assert.Equal([mine], own.EnumerateArray().Select(e => e.GetProperty("eventId").GetGuid()));
        var everyone = all.EnumerateArray().Select(e => e.GetProperty("eventId").GetGuid()).ToList();
        Assert.Contains(mine, everyone);
        Assert.Contains(theirs, everyone);
    }

    [Fact]
    public async Task PlatformRoutes_AreForbiddenToAnOrganizer_AndOpenToAnOperator()
    {
        var organizer = App.Organizer();
        var @operator = App.Operator();

        await (await organizer.GetAsync("/api/ops/alerts")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await organizer.PostAsync("/api/ops/reconciliation", null)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await organizer.GetAsync("/api/ops/reconciliation/latest")).AssertProblem(HttpStatusCode.Forbidden, "forbidden");
        await (await organizer.PostAsync("/api/ops/buyers/someone/erase", null)).AssertProblem(HttpStatusCode.Forbidden, "forbidden");

        await (await @operator.GetAsync("/api/ops/alerts")).AssertJson(HttpStatusCode.OK);
        await (await @operator.PostAsync("/api/ops/reconciliation", null)).AssertJson(HttpStatusCode.OK);
        await (await @operator.GetAsync("/api/ops/reconciliation/latest")).AssertJson(HttpStatusCode.OK);
        var erased = await (await @operator.PostAsync("/api/ops/buyers/someone/erase", null)).AssertJson(HttpStatusCode.OK);
        Assert.Equal("someone", erased.GetProperty("userId").GetString());
    }

    private static async Task<Guid> CreateEventAsync(HttpClient organizer, string title) =>
        (await (await organizer.PostJson("/api/events", new { title, startsAt = "2031-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

    private static async Task<Guid> CreateTierAsync(HttpClient organizer, Guid eventId, int capacity) =>
        (await (await organizer.PostJson($"/api/events/{eventId}/tiers", new { name = "GA", priceCents = 2500, currency = "eur", capacity }))
            .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid();
}
