using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Api.Auth;
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
            ["Orleans:Endpoints:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    /// <summary>What the silo logged at Information or above (the host's default level), oldest first.</summary>
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

    /// <summary>Requests to Stripe this returns true for fail as if Stripe were unreachable.</summary>
    public Func<HttpRequestMessage, bool>? StripeOutage { get; set; }

    /// <summary>Starts the silo and makes it the target of the emulator's webhooks.</summary>
    public TicketingApp Start()
    {
        CreateClient().Dispose();
        Stripe.WebhookTarget = Server.CreateHandler;
        return this;
    }

    /// <summary>A client whose requests carry a token for <paramref name="userId"/> with the given roles.</summary>
    public HttpClient ClientFor(string userId, params string[] roles)
    {
        var client = CreateClient();
        var token = TokenMinter.Mint(
            new AuthOptions(SigningKey, "ticketing", "ticketing-api", Authority: null), userId, roles, TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Organizer() => ClientFor("organizer-1", Roles.Organizer);

    public HttpClient Buyer(string userId = "buyer-1") => ClientFor(userId, Roles.Buyer);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
