using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Ticketing.StripeEmulator;
using Ticketing.StripeEmulator.Control;
using Ticketing.StripeEmulator.Webhooks;

namespace Ticketing.Testing;

/// <summary>
/// The Stripe emulator in-process. Its webhooks go to whichever API silo is
/// <see cref="WebhookTarget"/>; while none is (a silo restarting), deliveries
/// fail and are retried the way Stripe retries.
/// </summary>
public sealed class StripeEmulatorHost : WebApplicationFactory<EmulatorProgram>
{
    public const string SecretKey = "sk_test_ticketing_tests";
    public const string WebhookSecret = "whsec_ticketing_tests_0123456789abcdef";

    public StripeEmulatorHost() => _ = Server; // started before any silo talks to it

    /// <summary>Where webhooks are delivered now; null while no silo listens.</summary>
    public Func<HttpMessageHandler>? WebhookTarget { get; set; }

    public EmulatorControl Control => Services.GetRequiredService<EmulatorControl>();

    /// <summary>The real Stripe.net client, talking to this emulator (as a buyer's page or Stripe's dashboard would).</summary>
    public Stripe.StripeClient Client() => new(new Stripe.StripeClientOptions
    {
        ApiKey = SecretKey,
        ApiBase = "http://stripe.test",
        HttpClient = new Stripe.SystemNetHttpClient(CreateClient()),
    });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("StripeEmulator:WebhookUrl", "http://silo.test/api/webhooks/stripe");
        builder.UseSetting("StripeEmulator:WebhookSecret", WebhookSecret);
        // Stripe's schedule, compressed: tests wait seconds, not days.
        string[] delays = ["00:00:00.2", "00:00:00.5", "00:00:01", "00:00:02", "00:00:02", "00:00:03", "00:00:03", "00:00:05", "00:00:05", "00:00:05"];
        for (var i = 0; i < delays.Length; i++)
        {
            builder.UseSetting($"StripeEmulator:RetryDelays:{i}", delays[i]);
        }

        builder.ConfigureServices(services =>
            services.AddHttpClient(WebhookDispatcher.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new ToTarget(this)));
    }

    /// <summary>Sends each webhook to the silo that is the target at that moment.</summary>
    private sealed class ToTarget(StripeEmulatorHost host) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (host.WebhookTarget is not { } target)
            {
                throw new HttpRequestException("No silo is listening for webhooks.");
            }

            using var invoker = new HttpMessageInvoker(target());
            return invoker.SendAsync(request, cancellationToken);
        }
    }
}
