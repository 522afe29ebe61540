using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.Api.Auth;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// Thousands of malformed requests of every kind against every route the app
/// maps, with tokens of every role: none may answer 5xx, and none may create,
/// hold or sell anything. The requests come from a fixed seed, so a failure
/// names a request that can be sent again. NUL and control characters go
/// in bodies and query strings: in a path the server itself refuses them.
/// </summary>
public sealed class MalformedRequestsTests(MalformedRequestsTests.Unlimited fixture) : IClassFixture<MalformedRequestsTests.Unlimited>
{
    private const int Seed = 20261204;
    private const int Requests = 4_000;

    private static readonly string[] BrokenJson =
    [
        "", "{", "}", "[", "null", "true", "12", "\"text\"", "[]", "[{}]", "{\"a\":", "{'single':'quotes'}", "{\"a\":1,}",
        "{\"tierId\":5,\"quantity\":\"two\"}", "{\"tierId\":[],\"quantity\":{}}", "{\"quantity\":1e400}", "{\"quantity\":-99999999999999999999}",
        "{\"holdIds\":\"not-an-array\",\"contact\":7}", "{\"holdIds\":[1,2,3]}", "{\"title\":{\"nested\":[1,[2,[3]]]},\"startsAt\":42}",
        "{\"capacity\":\"lots\"}", "{\"capacity\":2147483648}", "{\"priceCents\":1.5,\"capacity\":1.5}", "{\"token\":null,\"eventId\":\"nope\"}",
        "{\"ticketIds\":[\"00000000-0000-0000-0000-00000000000g\"]}", "\u0000\u0001\u0002", "{\"title\":\"\\ud800\"}", "{\"title\":\"a\\u0000b\",\"startsAt\":\"2031-01-01T00:00:00Z\"}",
    ];

    private static readonly string[] OddPaths =
    [
        "/api/events/%2e%2e", "/api/tiers/not-a-guid", "/api/holds/..%2F..%2Fetc%2Fpasswd", "/api/orders//tickets", "/api/tickets/%ZZ",
        "/api/events/00000000-0000-0000-0000-000000000000/tiers", "/api/ops/buyers/%2500/erase", "/api/ops/buyers/%E2%80%8B%F0%9F%8E%AB/erase", "/api/ops/buyers/" + new string('x', 3000) + "/erase",
        "/api/" + new string('a', 8000), "/api/events/\u00e9v\u00e9nement", "/api/orders/00000000-0000-0000-0000-000000000000?waitWhile=%00&waitSeconds=x",
        "/api/orders/00000000-0000-0000-0000-000000000000?waitSeconds=99999999999", "/api/events?organizationId=%00", "/api/ops/readiness?eventId=zzz",
        "/api/tickets/00000000-0000-0000-0000-000000000000/qr.svg?size=-1", "/dashboard/%2F%2F", "/metrics/../api/events",
    ];

    private static readonly string[] ContentTypes = ["application/json", "text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", ""];

    private HttpClient anonymous = null!;

    private TicketingApp App => fixture.App;

    [Fact]
    public async Task ThousandsOfMalformedRequests_AnswerNo5xx_AndChangeNothing()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10);
        var routes = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => (Method: endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is [var first, ..] ? first : "GET", Pattern: endpoint.RoutePattern.RawText!))
            .Where(route => !route.Pattern.StartsWith("/dashboard", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        var clients = Tokens().Select(token => Client(token)).ToList();
        anonymous = clients[0];
        var before = await FingerprintAsync();
        var random = new Random(Seed);
        var requests = Enumerable.Range(0, Requests).Select(i => Malformed(random, routes, tierId, i)).ToList();

        var failures = new List<string>();
        var accepted = new List<string>();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (made, cancellationToken) =>
        {
            var client = made.Client ?? clients[made.Number % clients.Count];
            using var request = made.Build();
            using var response = await client.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode < 300 && request.Method != HttpMethod.Get)
            {
                lock (accepted)
                {
                    accepted.Add($"#{made.Number} {made.Description}: {(int)response.StatusCode}");
                }
            }

            if ((int)response.StatusCode >= 500)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                lock (failures)
                {
                    failures.Add($"#{made.Number} {made.Description}: {(int)response.StatusCode} {body[..Math.Min(body.Length, 300)]}");
                }
            }
        });

        Assert.True(failures.Count == 0, $"{failures.Count} of {Requests} answered 5xx:\n{string.Join("\n", failures.Take(20))}");
        Assert.True(before == await FingerprintAsync(), $"the database changed; writes answered 2xx:\n{string.Join("\n", accepted.Take(20))}");
        var tier = await (await App.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(0, tier.GetProperty("reserved").GetInt32() + tier.GetProperty("issued").GetInt32());
    }

    private Made Malformed(Random random, List<(string Method, string Pattern)> routes, Guid tierId, int number)
    {
        var (method, pattern) = routes[random.Next(routes.Count)];
        var path = FillIn(pattern, random, tierId);
        switch (random.Next(8))
        {
            case 0: // a token that must not pass
                var badToken = BadTokens()[random.Next(BadTokens().Count)];
                return new(number, $"{method} {path} with token '{badToken[..Math.Min(30, badToken.Length)]}'", anonymous, () =>
                    WithHeader(Request(method, path, "{}", "application/json"), "Authorization", badToken));
            case 1: // broken or mistyped JSON
                var json = BrokenJson[random.Next(BrokenJson.Length)];
                return new(number, $"{method} {path} body {json}", null, () => Request(method, path, json, "application/json"));
            case 2: // a body far over any limit
                var huge = "{\"title\":\"" + new string('x', random.Next(70_000, 300_000)) + "\"}";
                return new(number, $"{method} {path} with {huge.Length} bytes", null, () => Request(method, path, huge, "application/json"));
            case 3: // control characters in every string
                var control = $$$"""{"title":"t{{{Escape(random)}}}","startsAt":"2031-01-01T00:00:00Z","venue":"{{{Escape(random)}}}","name":"n{{{Escape(random)}}}","priceCents":1,"currency":"eur{{{Escape(random)}}}","capacity":"1{{{Escape(random)}}}","token":"{{{Escape(random)}}}","eventId":"{{{Guid.NewGuid()}}}","gate":"{{{Escape(random)}}}","tierId":"{{{tierId}}}{{{Escape(random)}}}","quantity":"1{{{Escape(random)}}}","holdIds":["{{{Guid.NewGuid()}}}"],"contact":{"email":"a{{{Escape(random)}}}@x.com","name":"{{{Escape(random)}}}"}}""";
                return new(number, $"{method} {path} with control characters", null, () => Request(method, path, control, "application/json"));
            case 4: // odd paths
                var odd = OddPaths[random.Next(OddPaths.Length)];
                var oddMethod = new[] { "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" }[random.Next(6)];
                return new(number, $"{oddMethod} {odd}", null, () => Request(oddMethod, odd, "{}", "application/json"));
            case 5: // signed webhooks that are not events
                var payload = NotEvents()[random.Next(NotEvents().Count)];
                return new(number, $"signed webhook {payload[..Math.Min(60, payload.Length)]}", anonymous, () =>
                    WithHeader(Request("POST", "/api/webhooks/stripe", payload, "application/json"), "Stripe-Signature", Sign(payload)));
            case 6: // a wrong content type
                var type = ContentTypes[random.Next(ContentTypes.Length)];
                return new(number, $"{method} {path} as {type}", null, () => Request(method, path, "title=x&quantity=1", type));
            default: // random bytes
                var bytes = new byte[random.Next(1, 2_000)];
                random.NextBytes(bytes);
                return new(number, $"{method} {path} with {bytes.Length} random bytes", null, () =>
                {
                    var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(bytes) };
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
                    return request;
                });
        }
    }

    private static string FillIn(string pattern, Random random, Guid tierId)
    {
        // (A NUL in a path never reaches the app: the server refuses the request line.)
        var values = new[] { Guid.NewGuid().ToString(), tierId.ToString(), "x", "%2500", "1" };
        return System.Text.RegularExpressions.Regex.Replace(pattern, @"\{[^}]+\}", _ => values[random.Next(values.Length)]);
    }

    private static HttpRequestMessage Request(string method, string path, string body, string contentType)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method is not ("GET" or "HEAD" or "OPTIONS"))
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType.Length > 0)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        return request;
    }

    private static HttpRequestMessage WithHeader(HttpRequestMessage request, string name, string value)
    {
        request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static string Escape(Random random) => new[] { "\\u0000", "\\u0001", "\\u001f", "\\u007f", "\\n", "\\t", "\\ud800", "\\udfff" }[random.Next(8)];

    private static IReadOnlyList<string> BadTokens() =>
    [
        "Bearer", "Bearer ", "Bearer garbage", "Basic dXNlcjpwYXNz", "Bearer a.b.c", "Bearer " + new string('A', 5000),
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6Im9yZ2FuaXplciJ9.",
        "Bearer " + TokenMinter.Mint(new AuthOptions("another-key-entirely-0123456789abcdef-0123", "ticketing", "ticketing-api", null), "x", [Roles.Organizer], TimeSpan.FromHours(1)),
        "Bearer " + TokenMinter.Mint(new AuthOptions(TicketingApp.SigningKey, "ticketing", "ticketing-api", null), "x", [Roles.Organizer], TimeSpan.FromHours(-2)),
        "Bearer " + NoSubject(),
    ];

    /// <summary>A validly signed token that names nobody.</summary>
    private static string NoSubject() => new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
    {
        Issuer = "ticketing",
        Audience = "ticketing-api",
        Claims = new Dictionary<string, object> { ["role"] = Roles.Organizer },
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(Encoding.UTF8.GetBytes(TicketingApp.SigningKey)), "HS256"),
    });

    private static IReadOnlyList<string> NotEvents() =>
    [
        "{}", "[]", "null", "\"evt\"", "{\"id\":5,\"type\":[]}", "{\"id\":\"evt_1\"}", "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}",
        "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":[]}", "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":\"pi\"}}",
        "{\"id\":\"evt_\\u0000\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_1\"}}}",
        "{\"id\":\"evt_2\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_1\",\"amount\":1e400,\"metadata\":{\"order_id\":\"x\"}}}}",
        "{\"id\":\"evt_3\",\"type\":\"charge.refunded\",\"data\":{\"object\":{\"id\":\"ch_1\",\"amount_refunded\":1.5}}}",
        "{\"id\":\"evt_4\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_1\",\"currency\":\"\\ud800\"}}}",
        "{\"id\":\"evt_5\",\"type\":\"charge.dispute.created\",\"data\":{\"object\":{\"id\":\"dp_1\",\"note\":\"a\\u0000b\"}}}",
        "{\"id\":\"evt_6\",\"type\":\"payment_intent.succeeded\",\"data\":{\"object\":{\"id\":\"pi_1\",\"amount\":{\"nested\":true}}}}",
        "{not json at all", "\u0000",
    ];

    private static IEnumerable<string?> Tokens()
    {
        yield return null;
        foreach (var roles in new[] { new[] { Roles.Buyer }, [Roles.Organizer], [Roles.Scanner], [Roles.Operator], [Roles.Buyer, Roles.Organizer, Roles.Scanner, Roles.Operator] })
        {
            yield return TicketingApp.Token("fuzz-" + string.Join("-", roles), roles, [TicketingApp.Organization], []);
        }
    }

    private HttpClient Client(string? token)
    {
        var client = App.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        return client;
    }

    private static string Sign(string payload)
    {
        var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(StripeEmulatorHost.WebhookSecret), Encoding.UTF8.GetBytes($"{time}.{payload}"));
        return $"t={time},v1={Convert.ToHexStringLower(mac)}";
    }

    private async Task<string> FingerprintAsync() => (string)(await fixture.Database.ScalarAsync(
        """
        SELECT md5(concat_ws('|',
            (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.events t),
            (SELECT string_agg(t::text, ',' ORDER BY t.id) FROM ticketing.ticket_tiers t),
            (SELECT count(*) FROM ticketing.ticket_holds), (SELECT count(*) FROM ticketing.orders),
            (SELECT count(*) FROM ticketing.tickets), (SELECT count(*) FROM ticketing.ticket_scans),
            (SELECT count(*) FROM ticketing.stripe_events), (SELECT count(*) FROM ticketing.idempotency_keys),
            (SELECT count(*) FROM ticketing.payments_without_order)))
        """))!;

    private sealed record Made(int Number, string Description, HttpClient? Client, Func<HttpRequestMessage> Build);

    /// <summary>
    /// Rate limits off: thousands of requests from a handful of tokens must
    /// reach the handlers they probe, not stop at the limiter.
    /// </summary>
    public sealed class Unlimited : ApiFixture
    {
        protected override IDictionary<string, string?> Settings => TicketingApp.RateLimitsOff;
    }
}
