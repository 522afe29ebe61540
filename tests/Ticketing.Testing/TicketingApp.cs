using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Payments;

namespace Ticketing.Testing;

/// <summary>
/// The API silo in-process on its own test database, with its own cluster id
/// and ports so classes run side by side, paying through an in-process Stripe
/// emulator (its own, or one shared with another silo on the same database).
/// </summary>
public sealed class TicketingApp : WebApplicationFactory<Program>
{
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";

    /// <summary>The personal organization of <see cref="Organizer"/>: every event the tests set up belongs to it.</summary>
    public const string Organization = "organizer-1";

    private static readonly ConcurrentDictionary<int, byte> HandedOutPorts = new();

    private readonly Dictionary<string, string?> settings;
    private readonly bool ownsStripe;
    private readonly List<LoggedEntry> logs = [];

    public TicketingApp(TestDatabase database, IDictionary<string, string?>? overrides = null, StripeEmulatorHost? stripe = null)
    {
        Database = database;
        ownsStripe = stripe is null;
        Stripe = stripe ?? new StripeEmulatorHost();
        settings = new Dictionary<string, string?>
        {
            ["Ticketing:Stripe:ApiBase"] = "http://stripe.test",
            ["Ticketing:Stripe:SecretKey"] = StripeEmulatorHost.SecretKey,
            ["Ticketing:Stripe:WebhookSecret"] = StripeEmulatorHost.WebhookSecret,
            ["ConnectionStrings:Ticketing"] = database.ConnectionString,
            ["Ticketing:Auth:SigningKey"] = SigningKey,
            ["Orleans:ClusterId"] = database.Name,
            ["Orleans:ServiceId"] = database.Name,
            ["Orleans:Endpoints:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    /// <summary>The ASP.NET Core environment the silo runs in: Testing (outside Development) unless a test needs another.</summary>
    public string Environment { get; init; } = "Testing";

    /// <summary>Every rate limit off, for a test that sends many requests as one caller on purpose (and says why).</summary>
    public static IDictionary<string, string?> RateLimitsOff =>
        new RateLimitOptions().Policies().ToDictionary(policy => $"{policy.Key}:PerMinute", _ => (string?)"0");

    /// <summary>What the silo logged at its configured level (warnings and errors, appsettings.json), oldest first.</summary>
    public IReadOnlyList<LoggedEntry> Logs
    {
        get
        {
            lock (logs)
            {
                return [.. logs];
            }
        }
    }

    public StripeEmulatorHost Stripe { get; }

    /// <summary>The settings this silo runs with (another silo of the same cluster starts from them).</summary>
    public IReadOnlyDictionary<string, string?> Settings => settings;

    /// <summary>Requests to Stripe this returns true for fail as if Stripe were unreachable.</summary>
    public Func<HttpRequestMessage, bool>? StripeOutage { get; set; }

    /// <summary>Starts the silo and makes it the target of the emulator's webhooks.</summary>
    public TicketingApp Start()
    {
        CreateClient().Dispose();
        Stripe.WebhookTarget = Server.CreateHandler;
        return this;
    }

    /// <summary>A client whose requests carry a token for <paramref name="userId"/> with the given roles (acting for its personal organization).</summary>
    public HttpClient ClientFor(string userId, params string[] roles) => ClientFor(userId, roles, [], []);

    /// <summary>A client whose token acts for <paramref name="organizations"/>, narrowed to <paramref name="events"/> when any.</summary>
    public HttpClient ClientFor(string userId, IEnumerable<string> roles, IEnumerable<string> organizations, IEnumerable<Guid> events)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId, roles, organizations, events));
        return client;
    }

    /// <summary>A client whose requests come from <paramref name="address"/> (the in-process server has none of its own), with a bearer token when given.</summary>
    public HttpClient ClientFrom(IPAddress address, string? token = null)
    {
        var client = new HttpClient(Server.CreateHandler(context => context.Connection.RemoteIpAddress = address)) { BaseAddress = Server.BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>
    /// A browser: over https, as the session cookie is Secure outside
    /// Development; keeps its cookies; shows redirects instead of following them.
    /// </summary>
    public HttpClient Browser() =>
        CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });

    /// <summary>A <see cref="Browser"/> signed in by the session cookie a token for <paramref name="userId"/> turned into, sending the session's antiforgery token.</summary>
    public async Task<HttpClient> SessionFor(string userId, IEnumerable<string> roles, IEnumerable<string> organizations, IEnumerable<Guid> events)
    {
        var browser = Browser();
        using var start = new HttpRequestMessage(HttpMethod.Post, "/auth/session");
        start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId, roles, organizations, events));
        using var started = await browser.SendAsync(start);
        Assert.True(started.StatusCode == HttpStatusCode.NoContent, $"POST /auth/session answered {(int)started.StatusCode}");
        var session = await browser.GetFromJsonAsync<System.Text.Json.JsonElement>("/auth/session");
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", session.GetProperty("antiforgeryToken").GetString());
        return browser;
    }

    public static string Token(string userId, IEnumerable<string> roles, IEnumerable<string> organizations, IEnumerable<Guid> events) =>
        TokenMinter.Mint(new AuthOptions(SigningKey, "ticketing", "ticketing-api", Authority: null), userId, roles, organizations, events, TimeSpan.FromHours(1));

    public HttpClient Organizer() => ClientFor(Organization, Roles.Organizer);

    /// <summary>A scanner at the gates of <see cref="Organization"/>'s events.</summary>
    public HttpClient Scanner(string userId = "gate-1") => ClientFor(userId, [Roles.Scanner], [Organization], []);

    public HttpClient Operator(string userId = "operator-1") => ClientFor(userId, Roles.Operator);

    public HttpClient Buyer(string userId = "buyer-1") => ClientFor(userId, Roles.Buyer);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(logs)));
        builder.ConfigureServices(services =>
            services.AddHttpClient(PaymentsSetup.StripeHttpClient)
                .ConfigurePrimaryHttpMessageHandler(() => Stripe.Server.CreateHandler())
                .AddHttpMessageHandler(() => new Outage(this)));
    }

    private sealed class Outage(TicketingApp app) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            app.StripeOutage?.Invoke(request) == true
                ? throw new HttpRequestException($"Stripe unreachable (test outage): {request.Method} {request.RequestUri}")
                : base.SendAsync(request, cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        Stripe.WebhookTarget = null;
        await base.DisposeAsync();
        if (ownsStripe)
        {
            await Stripe.DisposeAsync();
        }
    }

    /// <summary>
    /// A TCP port nothing on loopback listens on right now, and never one this
    /// process handed out before: the system may offer a port again as soon
    /// as its probe closes, before the silo or emulator it was picked for binds it.
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOutPorts.TryAdd(port, 0))
            {
                return port;
            }
        }
    }
}
