using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// Rate limits: a caller over its rate gets 429 with Retry-After and nothing is
/// done; other callers are untouched; the webhook, health and metrics are never
/// limited; the configuration is what the silo applies. Most run on a silo with
/// limits of a few requests and one token a minute, so what is refused is exact
/// however long a test takes; one runs on the shipped defaults.
/// </summary>
public sealed class RateLimitTests(RateLimitTests.LimitedApp limited, ApiFixture defaults)
    : IClassFixture<RateLimitTests.LimitedApp>, IClassFixture<ApiFixture>
{
    /// <summary>Each mapped route's policy; null: never limited. Routes of the waiting room are listed ahead of them.</summary>
    private static readonly Dictionary<string, string?> Policies = new()
    {
        ["GET /"] = RateLimits.Anonymous,
        ["GET /gate"] = RateLimits.Anonymous,
        ["GET /console"] = RateLimits.Anonymous,
        ["ANY /health/live"] = null,
        ["ANY /health/ready"] = null,
        ["ANY /metrics"] = null,
        ["GET /openapi/{documentName}.json"] = null,
        ["GET /docs/{documentName?}"] = null,
        ["GET /docs/scalar.js"] = null,
        ["GET /docs/scalar.aspnetcore.js"] = null,
        ["GET /docs/favicon.svg"] = null,
        ["GET /api/events/"] = RateLimits.Anonymous,
        ["GET /api/events/{eventId:guid}"] = RateLimits.Anonymous,
        ["GET /api/tiers/{tierId:guid}"] = RateLimits.Anonymous,
        ["GET /api/events/{eventId:guid}/onsale"] = RateLimits.Anonymous,
        ["GET /api/payments/config"] = RateLimits.Anonymous,
        ["POST /api/events/"] = null,
        ["POST /api/events/{eventId:guid}/tiers"] = null,
        ["PATCH /api/tiers/{tierId:guid}"] = null,
        ["PUT /api/events/{eventId:guid}/onsale"] = null,
        ["DELETE /api/events/{eventId:guid}/onsale"] = null,
        ["POST /api/events/{eventId:guid}/queue"] = RateLimits.Queue,
        ["GET /api/events/{eventId:guid}/queue"] = RateLimits.Queue,
        ["POST /api/holds/"] = RateLimits.Holds,
        ["GET /api/holds/{holdId:guid}"] = RateLimits.Holds,
        ["DELETE /api/holds/{holdId:guid}"] = RateLimits.Holds,
        ["POST /api/orders/"] = RateLimits.Orders,
        ["GET /api/orders/"] = RateLimits.Orders,
        ["GET /api/orders/{orderId:guid}"] = RateLimits.Orders,
        ["GET /api/orders/{orderId:guid}/tickets"] = RateLimits.Orders,
        ["POST /api/orders/{orderId:guid}/cancel"] = RateLimits.Orders,
        ["POST /api/orders/{orderId:guid}/refund"] = RateLimits.Orders,
        ["GET /api/tickets/{ticketId:guid}"] = null,
        ["GET /api/tickets/{ticketId:guid}/qr.svg"] = null,
        ["GET /api/tickets/{ticketId:guid}/qr.png"] = null,
        ["POST /api/tickets/{ticketId:guid}/reissue"] = null,
        ["POST /api/scans"] = RateLimits.Scans,
        ["POST /api/webhooks/stripe"] = null,
        ["GET /api/ops/readiness"] = null,
        ["GET /api/ops/alerts"] = null,
        ["POST /api/ops/reconciliation"] = null,
        ["GET /api/ops/reconciliation/latest"] = null,
        ["POST /api/ops/buyers/{userId}/erase"] = null,
        ["GET /api/ops/links"] = null,
        ["GET /signin"] = RateLimits.Anonymous,
        ["GET /auth/session"] = RateLimits.Anonymous,
        ["POST /auth/session"] = RateLimits.Anonymous,
        ["POST /auth/signout"] = RateLimits.Anonymous,
        ["GET /auth/signin/oidc"] = RateLimits.Anonymous,
    };

    private TicketingApp App => limited.App;

    [Fact]
    public void EveryMappedRoute_HasTheRateLimitItsClassSays()
    {
        var endpoints = defaults.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        var wrong = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var policy = endpoint.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
            {
                var route = $"{method} {endpoint.RoutePattern.RawText}";
                if (route.Split(' ')[1].StartsWith("/dashboard", StringComparison.Ordinal) ? policy is not null
                    : !Policies.TryGetValue(route, out var expected) || expected != policy)
                {
                    wrong.Add($"{route} (limited by '{policy ?? "nothing"}')");
                }
            }
        }

        Assert.True(wrong.Count == 0,
            $"Routes whose rate limit is not the one RateLimitTests.Policies gives (a new route: add it there, and `.RequireRateLimiting(RateLimits.X)` where it is mapped): {string.Join(", ", wrong)}");
    }

    [Fact]
    public async Task Holds_OverTheBuyersRate_Answer429WithRetryAfter_AndChangeNothing()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10);
        var buyer = App.Buyer("eager-buyer");
        for (var quantity = 1; quantity <= LimitedApp.HoldsBurst; quantity++)
        {
            await (await buyer.PostJson("/api/holds", new { tierId, quantity })).AssertJson(HttpStatusCode.Created);
        }

        var before = await HoldsOf(tierId);

        var refused = await buyer.PostJson("/api/holds", new { tierId, quantity = 1 });

        await refused.AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Equal(TimeSpan.FromMinutes(1), refused.Headers.RetryAfter?.Delta);
        Assert.Equal(before, await HoldsOf(tierId));
        Assert.Equal("3 held of 10", before);
        Assert.Matches("rate_limited_requests_total\\{[^}]*policy=\"holds\"", await App.CreateClient().GetStringAsync("/metrics"));
        // Another buyer has a bucket of their own.
        await (await App.Buyer("patient-buyer").PostJson("/api/holds", new { tierId, quantity = 2 })).AssertJson(HttpStatusCode.Created);
        Assert.Equal("5 held of 10", await HoldsOf(tierId));
    }

    [Fact]
    public async Task AnonymousReads_OverTheAddresssRate_Answer429_OtherAddressesAndSignedInBuyersDoNot()
    {
        using var script = App.ClientFrom(IPAddress.Parse("203.0.113.7"));
        for (var i = 0; i < LimitedApp.AnonymousBurst; i++)
        {
            await (await script.GetAsync("/api/events")).AssertJson(HttpStatusCode.OK);
        }

        var refused = await script.GetAsync("/api/events");
        // One bucket for the address, whichever anonymous route it reads.
        var otherRoute = await script.GetAsync($"/api/tiers/{Guid.NewGuid()}");

        await refused.AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Equal(TimeSpan.FromMinutes(1), refused.Headers.RetryAfter?.Delta);
        await otherRoute.AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        using var neighbour = App.ClientFrom(IPAddress.Parse("203.0.113.8"));
        await (await neighbour.GetAsync("/api/events")).AssertJson(HttpStatusCode.OK);
        using var signedIn = App.ClientFrom(IPAddress.Parse("203.0.113.7"), TicketingApp.Token("reading-buyer", [Roles.Buyer], [], []));
        await (await signedIn.GetAsync("/api/events")).AssertJson(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SignIn_OverTheAddresssRate_Answers429_BeforeAnyTokenIsLookedAt()
    {
        using var script = App.ClientFrom(IPAddress.Parse("203.0.113.40"));
        for (var i = 0; i < LimitedApp.AnonymousBurst; i++)
        {
            // Over plain HTTP outside Development the page answers that sessions need HTTPS: still one of the address's requests.
            await (await script.GetAsync("/signin")).AssertProblem(HttpStatusCode.BadRequest, "https-required");
        }

        var page = await script.GetAsync("/signin");
        var pasted = await script.PostAsync("/auth/session", new FormUrlEncodedContent([KeyValuePair.Create("token", "guessed")]));

        await page.AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        await pasted.AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        using var neighbour = App.ClientFrom(IPAddress.Parse("203.0.113.41"));
        await (await neighbour.GetAsync("/signin")).AssertProblem(HttpStatusCode.BadRequest, "https-required");
    }

    [Fact]
    public async Task AnonymousReads_FromIPv6_AreLimitedPerSlash64()
    {
        using var first = App.ClientFrom(IPAddress.Parse("2001:db8:1:2::a"));
        for (var i = 0; i < LimitedApp.AnonymousBurst; i++)
        {
            await (await first.GetAsync("/api/events")).AssertJson(HttpStatusCode.OK);
        }

        using var sameSubscriber = App.ClientFrom(IPAddress.Parse("2001:db8:1:2:ffff::b"));
        using var otherSubscriber = App.ClientFrom(IPAddress.Parse("2001:db8:1:3::a"));

        await (await sameSubscriber.GetAsync("/api/events")).AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        await (await otherSubscriber.GetAsync("/api/events")).AssertJson(HttpStatusCode.OK);
    }

    [Fact]
    public async Task StripeWebhook_Health_AndMetrics_AreNeverLimited()
    {
        using var client = App.ClientFrom(IPAddress.Parse("198.51.100.20"));
        for (var i = 0; i < LimitedApp.AnonymousBurst; i++)
        {
            await (await client.GetAsync("/api/events")).AssertJson(HttpStatusCode.OK);
        }

        await (await client.GetAsync("/api/events")).AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");

        // Stripe retries a delivery until it is taken: from an address over its rate, every one still is.
        var payload = JsonSerializer.Serialize(new
        {
            id = "evt_rate_" + Guid.NewGuid().ToString("N"),
            @object = "event",
            type = "customer.created",
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            data = new { @object = new { id = "cus_rate", @object = "customer" } },
        });
        for (var i = 0; i < 10 * LimitedApp.AnonymousBurst; i++)
        {
            var delivered = await client.SendAsync(Checkout.SignedWebhook(payload));
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        for (var i = 0; i < 3 * LimitedApp.AnonymousBurst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/metrics")).StatusCode);
        }
    }

    [Fact]
    public async Task APolicyAtZeroPerMinute_IsOff()
    {
        var organizer = App.Organizer();

        for (var i = 0; i < 10 * LimitedApp.HoldsBurst; i++)
        {
            await (await organizer.GetAsync($"/api/orders/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        }
    }

    [Fact]
    public void Configuration_IsWhatTheSiloApplies()
    {
        var applied = App.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var shipped = defaults.App.Services.GetRequiredService<IOptions<RateLimitOptions>>().Value;

        Assert.Equal((1, LimitedApp.HoldsBurst), (applied.Holds.PerMinute, applied.Holds.Burst));
        Assert.Equal((0, 20), (applied.Orders.PerMinute, applied.Orders.Burst));
        Assert.Equal((1, LimitedApp.AnonymousBurst), (applied.Anonymous.PerMinute, applied.Anonymous.Burst));
        // The defaults, as docs/api.md gives them.
        Assert.Equal(
            "holds 30/10, orders 60/20, queue 30/10, scans 120/30, anonymous 600/100",
            string.Join(", ", shipped.Policies().Select(p => $"{p.Policy} {p.Limit.PerMinute}/{p.Limit.Burst}")));
    }

    [Fact]
    public async Task ALimitOutOfRange_KeepsTheSiloFromStarting()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:RateLimits:Scans:Burst"] = "0" });

        var refusal = Assert.ThrowsAny<Exception>(() => app.Start());

        Assert.Contains("Ticketing:RateLimits:Scans", refusal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScriptHolding_UnderTheShippedDefaults_IsRefusedAfterItsBurst()
    {
        var tierId = await TierSetup.CreateAsync(defaults.App, capacity: 10);
        var script = defaults.App.Buyer("scripted-buyer");
        var clock = Stopwatch.StartNew();
        var held = 0;
        HttpResponseMessage? refused = null;
        while (refused is null && held < 100)
        {
            var response = await script.PostJson("/api/holds", new { tierId, quantity = 1 });
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                await response.AssertJson(HttpStatusCode.Created);
                held++;
            }
        }

        Assert.NotNull(refused);
        await refused.AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        // The burst of 10, and one more for each 2 s the loop took.
        Assert.InRange(held, 10, 10 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds / 2));
    }

    private async Task<string?> HoldsOf(Guid tierId) =>
        (string?)await App.Database.ScalarAsync(
            """
            SELECT format('%s held of %s', t.reserved_quantity, t.quantity)
                || (SELECT CASE WHEN coalesce(sum(quantity), 0) = t.reserved_quantity THEN '' ELSE ' (rows disagree)' END
                    FROM ticketing.ticket_holds WHERE tier_id = t.id AND status = 'active')
            FROM ticketing.ticket_tiers t WHERE t.id = @id
            """,
            ("id", tierId));

    /// <summary>
    /// A silo with limits of a few requests and one token a minute, so a test
    /// knows exactly what is refused; orders are not limited at all.
    /// </summary>
    public sealed class LimitedApp : ApiFixture
    {
        public const int HoldsBurst = 3;
        public const int AnonymousBurst = 2;

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Ticketing:RateLimits:Holds:PerMinute"] = "1",
            ["Ticketing:RateLimits:Holds:Burst"] = HoldsBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ticketing:RateLimits:Anonymous:PerMinute"] = "1",
            ["Ticketing:RateLimits:Anonymous:Burst"] = AnonymousBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ticketing:RateLimits:Orders:PerMinute"] = "0",
        };
    }
}
