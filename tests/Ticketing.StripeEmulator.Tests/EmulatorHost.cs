using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Stripe;
using Ticketing.StripeEmulator.Control;
using Ticketing.StripeEmulator.Webhooks;

namespace Ticketing.StripeEmulator.Tests;

/// <summary>
/// The emulator in-process, its webhooks delivered to an in-memory
/// <see cref="WebhookReceiver"/> through the "webhooks" HttpClient, and a real
/// Stripe.net client pointed at it. One per test, so delivery settings and the
/// event list are the test's own.
/// </summary>
public sealed class EmulatorHost : WebApplicationFactory<EmulatorProgram>
{
    public const string WebhookSecret = "whsec_emulator_tests_0123456789abcdef";
    public const string ApiKey = "sk_test_emulator_tests";

    private readonly Dictionary<string, string?> settings;

    private EmulatorHost(WebhookReceiver? receiver, IDictionary<string, string?> overrides)
    {
        Receiver = receiver;
        settings = new Dictionary<string, string?>
        {
            ["StripeEmulator:WebhookUrl"] = "http://receiver.test/webhooks/stripe",
            ["StripeEmulator:WebhookSecret"] = WebhookSecret,
            // Stripe's backoff, compressed so a test sees several retries.
            ["StripeEmulator:RetryDelays:0"] = "00:00:00.050",
            ["StripeEmulator:RetryDelays:1"] = "00:00:00.100",
            ["StripeEmulator:RetryDelays:2"] = "00:00:00.200",
        };
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }
    }

    public WebhookReceiver? Receiver { get; }

    public EmulatorControl Control => Services.GetRequiredService<EmulatorControl>();

    /// <summary>Stripe.net as the product builds it, with network retries off so each call is one request.</summary>
    public StripeClient Stripe => new(new StripeClientOptions
    {
        ApiKey = ApiKey,
        ApiBase = Server.BaseAddress.ToString().TrimEnd('/'),
        HttpClient = new SystemNetHttpClient(CreateClient(), maxNetworkRetries: 0),
    });

    /// <summary>A raw client carrying the API key, for wire-level checks.</summary>
    public HttpClient Http
    {
        get
        {
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
            return client;
        }
    }

    public static async Task<EmulatorHost> StartAsync(IDictionary<string, string?>? overrides = null, bool withReceiver = true)
    {
        var receiver = withReceiver ? await WebhookReceiver.StartAsync(WebhookSecret) : null;
        var host = new EmulatorHost(receiver, overrides ?? new Dictionary<string, string?>());
        _ = host.Server;
        return host;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        if (Receiver is { } receiver)
        {
            builder.ConfigureServices(services => services
                .AddHttpClient(WebhookDispatcher.HttpClientName)
                .ConfigurePrimaryHttpMessageHandler(receiver.CreateHandler));
        }
    }
}
