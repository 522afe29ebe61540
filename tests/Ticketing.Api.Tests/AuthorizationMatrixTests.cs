using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Api.Auth;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>Who may call a route, and on whose data.</summary>
public enum Access
{
    /// <summary>Anyone, without a token.</summary>
    Anonymous,

    /// <summary>A buyer, on their own holds, orders and tickets.</summary>
    BuyerOwn,

    /// <summary>The buyer who owns it, or an organizer of the event's organization.</summary>
    BuyerOwnOrOrganizerOwn,

    /// <summary>An organizer, on events of the organizations it acts for.</summary>
    OrganizerOwnOrganization,

    /// <summary>An organizer on its organizations' events, or an operator on every event.</summary>
    OrganizerOwnOrganizationOrOperator,

    /// <summary>A scanner, at the gates of its organizations' events (and only the events its token names, when it names any).</summary>
    ScannerOwnGates,

    /// <summary>An operator of the platform.</summary>
    Operator,

    /// <summary>Stripe, proved by the signature over the body.</summary>
    WebhookSignature,

    /// <summary>Anyone signed in (by a session or a token), on their own session.</summary>
    SignedIn,

    /// <summary>Anyone, to sign in: a sign-in form carrying its antiforgery token, or a valid bearer token.</summary>
    SignIn,
}

/// <summary>
/// Every route the app maps is classified here, read from ASP.NET Core's own
/// endpoint list so a new route cannot be forgotten; every classified route
/// is then called the ways it must refuse (no token, a wrong role, another
/// organization's organizer or scanner, another buyer), and each refusal must
/// answer its problem and change nothing in the database.
/// </summary>
public sealed class AuthorizationMatrixTests(AuthorizationMatrixTests.World world) : IClassFixture<AuthorizationMatrixTests.World>
{
    /// <summary>The classification: "METHOD pattern" as the app maps it. Dashboard routes are matched by prefix.</summary>
    private static readonly Dictionary<string, Access> Matrix = new()
    {
        // The pages are public shells: what they show comes from the API, under its own rules.
        ["GET /"] = Access.Anonymous,
        ["GET /gate"] = Access.Anonymous,
        ["GET /console"] = Access.Anonymous,
        ["ANY /health/live"] = Access.Anonymous,
        ["ANY /health/ready"] = Access.Anonymous,
        ["ANY /metrics"] = Access.Anonymous,
        ["GET /openapi/{documentName}.json"] = Access.Anonymous,
        ["GET /docs/{documentName?}"] = Access.Anonymous,
        ["GET /docs/scalar.js"] = Access.Anonymous,
        ["GET /docs/scalar.aspnetcore.js"] = Access.Anonymous,
        ["GET /docs/favicon.svg"] = Access.Anonymous,
        ["GET /api/events/"] = Access.Anonymous,
        ["GET /api/events/{eventId:guid}"] = Access.Anonymous,
        ["GET /api/tiers/{tierId:guid}"] = Access.Anonymous,
        ["GET /api/payments/config"] = Access.Anonymous,
        ["POST /api/events/"] = Access.OrganizerOwnOrganization,
        ["POST /api/events/{eventId:guid}/tiers"] = Access.OrganizerOwnOrganization,
        ["GET /api/events/{eventId:guid}/onsale"] = Access.Anonymous,
        ["PUT /api/events/{eventId:guid}/onsale"] = Access.OrganizerOwnOrganization,
        ["DELETE /api/events/{eventId:guid}/onsale"] = Access.OrganizerOwnOrganization,
        ["POST /api/events/{eventId:guid}/queue"] = Access.BuyerOwn,
        ["GET /api/events/{eventId:guid}/queue"] = Access.BuyerOwn,
        ["PATCH /api/tiers/{tierId:guid}"] = Access.OrganizerOwnOrganization,
        ["POST /api/holds/"] = Access.BuyerOwn,
        ["GET /api/holds/{holdId:guid}"] = Access.BuyerOwn,
        ["DELETE /api/holds/{holdId:guid}"] = Access.BuyerOwn,
        ["POST /api/orders/"] = Access.BuyerOwn,
        ["GET /api/orders/"] = Access.OrganizerOwnOrganization,
        ["GET /api/orders/{orderId:guid}"] = Access.BuyerOwnOrOrganizerOwn,
        ["GET /api/orders/{orderId:guid}/tickets"] = Access.BuyerOwnOrOrganizerOwn,
        ["POST /api/orders/{orderId:guid}/cancel"] = Access.BuyerOwn,
        ["POST /api/orders/{orderId:guid}/refund"] = Access.OrganizerOwnOrganization,
        ["GET /api/tickets/{ticketId:guid}"] = Access.BuyerOwnOrOrganizerOwn,
        ["GET /api/tickets/{ticketId:guid}/qr.svg"] = Access.BuyerOwn,
        ["GET /api/tickets/{ticketId:guid}/qr.png"] = Access.BuyerOwn,
        ["POST /api/tickets/{ticketId:guid}/reissue"] = Access.BuyerOwnOrOrganizerOwn,
        ["POST /api/scans"] = Access.ScannerOwnGates,
        ["POST /api/webhooks/stripe"] = Access.WebhookSignature,
        ["GET /api/ops/readiness"] = Access.OrganizerOwnOrganizationOrOperator,
        ["GET /api/ops/alerts"] = Access.Operator,
        ["POST /api/ops/reconciliation"] = Access.Operator,
        ["GET /api/ops/reconciliation/latest"] = Access.Operator,
        ["POST /api/ops/buyers/{userId}/erase"] = Access.Operator,
        ["GET /api/ops/links"] = Access.Operator,
        ["GET /signin"] = Access.Anonymous,
        ["GET /auth/session"] = Access.SignedIn,
        ["POST /auth/session"] = Access.SignIn,
        ["POST /auth/signout"] = Access.SignedIn,
        ["GET /auth/signin/oidc"] = Access.Anonymous,
        ["POST /auth/signin/development"] = Access.SignIn,
    };

    /// <summary>Classified routes mapped only in Development (BrowserSessionTests checks that app's routes against <see cref="Matrix"/>).</summary>
    private static readonly HashSet<string> DevelopmentOnly = ["POST /auth/signin/development"];

    private const string DashboardPrefix = "/dashboard";

    [Fact]
    public void EveryMappedRoute_IsClassified()
    {
        var unclassified = UnclassifiedRoutes(world.App);

        Assert.True(unclassified.Count == 0, $"Routes nobody classified in AuthorizationMatrixTests.Matrix: {string.Join(", ", unclassified)}");
    }

    [Fact]
    public void EveryClassifiedRoute_IsMapped()
    {
        var mapped = MappedRoutes(world.App).ToHashSet();

        var stale = Matrix.Keys.Where(route => !mapped.Contains(route) && !DevelopmentOnly.Contains(route)).ToList();

        Assert.True(stale.Count == 0, $"Classified but not mapped: {string.Join(", ", stale)}");
    }

    public static TheoryData<string> ClassifiedRoutes() => [.. Matrix.Keys.Where(key => Matrix[key] != Access.Anonymous && !DevelopmentOnly.Contains(key))];

    /// <summary>Routes of <paramref name="app"/> nobody classified (for an app in another environment than the World's).</summary>
    internal static IReadOnlyList<string> UnclassifiedRoutes(TicketingApp app) => [.. MappedRoutes(app).Where(route => Classify(route) is null)];

    [Theory]
    [MemberData(nameof(ClassifiedRoutes))]
    public async Task Route_RefusesEveryoneItMustRefuse_AndChangesNothing(string route)
    {
        var refusals = Refusals(Matrix[route]).Concat(world.OtherParty(route)).ToList();
        Assert.NotEmpty(refusals);

        foreach (var (who, client, status, code) in refusals)
        {
            var before = await world.FingerprintAsync();

            using var response = await client.SendAsync(world.Request(route));

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(status == response.StatusCode, $"{route} as {who}: expected {(int)status}, got {(int)response.StatusCode}: {body}");
            await response.AssertProblem(status, code);
            Assert.True(before == await world.FingerprintAsync(), $"{route} as {who} changed the database");
        }
    }

    /// <summary>
    /// A search refuses no organizer: another organization's is answered, with
    /// none of A's orders, while A's own organizer finds them by the same address.
    /// </summary>
    [Fact]
    public async Task OrdersByEmail_OfAnotherOrganization_AreNeverFound()
    {
        var before = await world.FingerprintAsync();

        using var theirs = await world.OrganizerB.SendAsync(world.Request("GET /api/orders/"));
        using var ours = await world.OrganizerA.SendAsync(world.Request("GET /api/orders/"));

        Assert.Empty((await theirs.AssertJson(HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(world.OrderA, Assert.Single((await ours.AssertJson(HttpStatusCode.OK)).EnumerateArray()).GetProperty("id").GetGuid());
        Assert.True(before == await world.FingerprintAsync(), "searching for orders changed the database");
    }

    [Fact]
    public async Task DashboardRoutes_RefuseAllButAnOperator()
    {
        var dashboard = MappedRoutes(world.App).Where(route => route.Split(' ')[1].StartsWith(DashboardPrefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(dashboard);

        foreach (var route in dashboard)
        {
            foreach (var (who, client, status, code) in Refusals(Access.Operator))
            {
                using var response = await client.SendAsync(world.Request(route));
                Assert.True(status == response.StatusCode, $"{route} as {who}: expected {(int)status}, got {(int)response.StatusCode}");
                await response.AssertProblem(status, code);
            }
        }
    }

    /// <summary>"METHOD pattern" of every route endpoint the app maps.</summary>
    private static IEnumerable<string> MappedRoutes(TicketingApp app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(method => $"{method} {endpoint.RoutePattern.RawText}"))
            .Distinct();

    private static Access? Classify(string route) =>
        Matrix.TryGetValue(route, out var access) ? access
        : route.Split(' ')[1].StartsWith(DashboardPrefix, StringComparison.Ordinal) ? Access.Operator
        : null;

    /// <summary>Who must be refused by a route of this class, and how.</summary>
    private IEnumerable<(string Who, HttpClient Client, HttpStatusCode Status, string Code)> Refusals(Access access)
    {
        var anonymous = ("no token", world.App.CreateClient(), HttpStatusCode.Unauthorized, "unauthorized");
        var forbidden = (string who, HttpClient client) => (who, client, HttpStatusCode.Forbidden, "forbidden");
        switch (access)
        {
            case Access.BuyerOwn:
                yield return anonymous;
                yield return forbidden("organizer of the event", world.OrganizerA);
                yield return forbidden("scanner of the event", world.ScannerA);
                yield return forbidden("operator", world.Operator);
                break;
            case Access.BuyerOwnOrOrganizerOwn:
                yield return anonymous;
                yield return forbidden("scanner of the event", world.ScannerA);
                yield return forbidden("operator", world.Operator);
                break;
            case Access.OrganizerOwnOrganization:
                yield return anonymous;
                yield return forbidden("the buyer", world.BuyerA);
                yield return forbidden("scanner of the event", world.ScannerA);
                yield return forbidden("operator", world.Operator);
                break;
            case Access.OrganizerOwnOrganizationOrOperator:
                yield return anonymous;
                yield return forbidden("the buyer", world.BuyerA);
                yield return forbidden("scanner of the event", world.ScannerA);
                break;
            case Access.ScannerOwnGates:
                yield return anonymous;
                yield return forbidden("the buyer", world.BuyerA);
                yield return forbidden("organizer of the event", world.OrganizerA);
                yield return forbidden("another organization's scanner", world.ScannerB);
                yield return forbidden("a scanner of the organization narrowed to another event", world.ScannerANarrowed);
                yield return forbidden("a scanner of the organization narrowed to another event, by session cookie", world.ScannerANarrowedSession);
                break;
            case Access.Operator:
                yield return anonymous;
                yield return forbidden("the buyer", world.BuyerA);
                yield return forbidden("an organizer", world.OrganizerA);
                yield return forbidden("a scanner", world.ScannerA);
                break;
            case Access.WebhookSignature:
                yield return ("no signature", world.App.CreateClient(), HttpStatusCode.BadRequest, "invalid-signature");
                yield return ("a wrong signature", world.WrongSignature, HttpStatusCode.BadRequest, "invalid-signature");
                break;
            case Access.SignedIn:
                yield return anonymous;
                yield return ("a refused token", world.RefusedToken, HttpStatusCode.Unauthorized, "unauthorized");
                break;
            case Access.SignIn:
                yield return ("no token and no antiforgery token", world.App.CreateClient(), HttpStatusCode.BadRequest, "antiforgery");
                yield return ("a refused token", world.RefusedToken, HttpStatusCode.Unauthorized, "unauthorized");
                break;
        }
    }

    /// <summary>
    /// Two organizations side by side: A's event with a tier, a fulfilled
    /// order of buyer A with its ticket and a live hold; B's organizer, buyer
    /// and scanner, who must reach none of it.
    /// </summary>
    public sealed class World : IAsyncLifetime
    {
        public const string OrganizationA = "org-a";
        public const string OrganizationB = "org-b";

        public TicketingApp App { get; private set; } = null!;

        public HttpClient OrganizerA { get; private set; } = null!;

        public HttpClient OrganizerB { get; private set; } = null!;

        public HttpClient BuyerA { get; private set; } = null!;

        public HttpClient BuyerB { get; private set; } = null!;

        public HttpClient ScannerA { get; private set; } = null!;

        public HttpClient ScannerANarrowed { get; private set; } = null!;

        public HttpClient ScannerB { get; private set; } = null!;

        public HttpClient Operator { get; private set; } = null!;

        public HttpClient WrongSignature { get; private set; } = null!;

        /// <summary>A bearer token the silo refuses (signed with another key).</summary>
        public HttpClient RefusedToken { get; private set; } = null!;

        /// <summary>Signed in by the session cookie (with its antiforgery token), as <see cref="OrganizerB"/>, <see cref="BuyerB"/> and <see cref="ScannerANarrowed"/> are by token.</summary>
        public HttpClient OrganizerBSession { get; private set; } = null!;

        public HttpClient BuyerBSession { get; private set; } = null!;

        public HttpClient ScannerANarrowedSession { get; private set; } = null!;

        public Guid EventA { get; private set; }

        public Guid OtherEventA { get; private set; }

        public Guid TierA { get; private set; }

        public Guid OrderA { get; private set; }

        public Guid TicketA { get; private set; }

        public string CodeA { get; private set; } = "";

        public Guid HoldA { get; private set; }

        public async Task InitializeAsync()
        {
            App = new TicketingApp(await TestDatabase.CreateAsync()).Start();
            OrganizerA = App.ClientFor("alice", [Roles.Organizer], [OrganizationA], []);
            OrganizerB = App.ClientFor("bob", [Roles.Organizer], [OrganizationB], []);
            BuyerA = App.Buyer("buyer-a");
            BuyerB = App.Buyer("buyer-b");
            ScannerA = App.ClientFor("gate-a", [Roles.Scanner], [OrganizationA], []);
            ScannerB = App.ClientFor("gate-b", [Roles.Scanner], [OrganizationB], []);
            Operator = App.Operator();
            WrongSignature = App.CreateClient();
            WrongSignature.DefaultRequestHeaders.TryAddWithoutValidation("Stripe-Signature", $"t={DateTimeOffset.UtcNow.ToUnixTimeSeconds()},v1={new string('0', 64)}");
            RefusedToken = App.CreateClient();
            RefusedToken.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TokenMinter.Mint(
                new AuthOptions("another-signing-key-0123456789abcdef-0123", "ticketing", "ticketing-api", null), "buyer-a", [Roles.Buyer], TimeSpan.FromHours(1)));
            OrganizerBSession = await App.SessionFor("bob", [Roles.Organizer], [OrganizationB], []);
            BuyerBSession = await App.SessionFor("buyer-b", [Roles.Buyer], [], []);

            EventA = await CreateEventAsync(OrganizerA, "A's night");
            OtherEventA = await CreateEventAsync(OrganizerA, "A's other night");
            ScannerANarrowed = App.ClientFor("gate-a2", [Roles.Scanner], [OrganizationA], [OtherEventA]);
            ScannerANarrowedSession = await App.SessionFor("gate-a2", [Roles.Scanner], [OrganizationA], [OtherEventA]);
            await CreateEventAsync(OrganizerB, "B's night");
            TierA = (await (await OrganizerA.PostJson($"/api/events/{EventA}/tiers", new { name = "GA", priceCents = 2500, currency = "eur", capacity = 100 }))
                .AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid();
            OrderA = await App.PaidOrderAsync(BuyerA, TierA, 1);
            var ticket = Assert.Single(await BuyerA.TicketsAsync(OrderA));
            TicketA = ticket.GetProperty("id").GetGuid();
            CodeA = ticket.GetProperty("qrToken").GetString()!;
            HoldA = await BuyerA.HoldAsync(TierA, 2);
        }

        public async Task DisposeAsync()
        {
            await App.DisposeAsync();
            await App.Database.DisposeAsync();
        }

        /// <summary>A request to <paramref name="route"/> on A's things, with a body that is valid for it.</summary>
        public HttpRequestMessage Request(string route)
        {
            var (method, pattern) = (route.Split(' ')[0], route.Split(' ')[1]);
            var path = pattern
                .Replace("{eventId:guid}", EventA.ToString())
                .Replace("{tierId:guid}", TierA.ToString())
                .Replace("{holdId:guid}", HoldA.ToString())
                .Replace("{orderId:guid}", OrderA.ToString())
                .Replace("{ticketId:guid}", TicketA.ToString())
                .Replace("{userId}", "buyer-a");
            path = System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]*:int\}", "1");
            path = System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]*\}", "x");
            if (route == "GET /api/ops/readiness")
            {
                path += $"?eventId={EventA}";
            }

            if (route == "GET /api/orders/")
            {
                path += $"?email={Uri.EscapeDataString(Checkout.ContactEmail)}";
            }

            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (Body(route) is { } json)
            {
                request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            }

            return request;
        }

        /// <summary>
        /// How the other party (buyer B, organization B) is refused on A's
        /// things: as if they did not exist, whether a token or a session
        /// cookie signed it in. Creating one's own hold or event is no
        /// refusal, so those routes name A's things in their body.
        /// </summary>
        public IEnumerable<(string Who, HttpClient Client, HttpStatusCode Status, string Code)> OtherParty(string route) =>
            OtherPartyByToken(route).SelectMany(refusal => new[]
            {
                refusal,
                (refusal.Who + ", by session cookie", refusal.Client == OrganizerB ? OrganizerBSession : BuyerBSession, refusal.Status, refusal.Code),
            });

        private IEnumerable<(string Who, HttpClient Client, HttpStatusCode Status, string Code)> OtherPartyByToken(string route)
        {
            var access = Matrix[route];
            var otherBuyer = ("another buyer", BuyerB, HttpStatusCode.NotFound, "not-found");
            var otherOrganizer = ("another organization's organizer", OrganizerB, HttpStatusCode.NotFound, "not-found");
            switch (route)
            {
                case "POST /api/holds/":
                    yield break; // a buyer's own new hold
                case "POST /api/events/{eventId:guid}/queue" or "GET /api/events/{eventId:guid}/queue":
                    yield break; // a buyer's own place in the waiting room
                case "POST /api/orders/":
                    yield return ("another buyer, with A's hold", BuyerB, HttpStatusCode.UnprocessableEntity, "hold-not-found");
                    yield break;
                case "POST /api/events/":
                    yield return ("another organization's organizer, naming A's organization", OrganizerB, HttpStatusCode.Forbidden, "forbidden");
                    yield break;
                case "GET /api/orders/":
                    yield break; // a search answers another organization with nothing of A's (OrdersByEmail_OfAnotherOrganization_AreNeverFound)
            }

            if (access is Access.BuyerOwn or Access.BuyerOwnOrOrganizerOwn)
            {
                yield return otherBuyer;
            }

            if (access is Access.BuyerOwnOrOrganizerOwn or Access.OrganizerOwnOrganization or Access.OrganizerOwnOrganizationOrOperator)
            {
                yield return otherOrganizer;
            }
        }

        /// <summary>A digest of every row a request could change (scheduled operations' own tables left out).</summary>
        public async Task<string> FingerprintAsync() =>
            (string)(await App.Database.ScalarAsync(
                """
                SELECT md5(concat_ws('|',
                    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.events t),
                    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.ticket_tiers t),
                    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.ticket_holds t),
                    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.orders t),
                    (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM ticketing.order_items t),
                    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.tickets t),
                    (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM ticketing.ticket_tokens t),
                    (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM ticketing.ticket_scans t),
                    (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM ticketing.stripe_events t),
                    (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM ticketing.idempotency_keys t),
                    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.audit_log t),
                    (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.onsales t),
                    (SELECT string_agg(t::text, ',' ORDER BY t::text) FROM ticketing.queue_entries t)))
                """))!;

        private string? Body(string route) => route switch
        {
            "POST /api/events/" => $$"""{"title":"Intruder's night","startsAt":"2031-01-01T20:00:00Z","organizationId":"{{OrganizationA}}"}""",
            "POST /api/events/{eventId:guid}/tiers" => """{"name":"Intruder","priceCents":100,"currency":"eur","capacity":1000}""",
            "PATCH /api/tiers/{tierId:guid}" => """{"capacity":5}""",
            "PUT /api/events/{eventId:guid}/onsale" => """{"opensAt":"2031-01-01T19:00:00Z","admitPerMinute":60}""",
            "POST /api/holds/" => $$"""{"tierId":"{{TierA}}","quantity":1}""",
            "POST /api/orders/" => $$$"""{"holdIds":["{{{HoldA}}}"],"contact":{"email":"x@example.com","name":"X"}}""",
            "POST /api/orders/{orderId:guid}/refund" => "{}",
            "POST /api/scans" => $$"""{"token":"{{CodeA}}","eventId":"{{EventA}}","gate":"north"}""",
            "POST /api/webhooks/stripe" => """{"id":"evt_forged","type":"payment_intent.succeeded","data":{"object":{"id":"pi_forged","object":"payment_intent","amount":2500,"currency":"eur","metadata":{}}}}""",
            _ => null,
        };

        private static async Task<Guid> CreateEventAsync(HttpClient organizer, string title) =>
            (await (await organizer.PostJson("/api/events", new { title, startsAt = "2031-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created))
                .GetProperty("id").GetGuid();
    }
}
