using Microsoft.Extensions.Options;
using Stripe;
using Ticketing.Grains.Orders;
using Ticketing.Grains.Payments;

namespace Ticketing.Api.Payments;

internal static class PaymentsSetup
{
    /// <summary>The HTTP client Stripe.net talks through (tests point it at an in-memory emulator).</summary>
    public const string StripeHttpClient = "stripe";

    public static void AddTicketingPayments(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<StripeOptions>()
            .Bind(builder.Configuration.GetSection(StripeOptions.Section))
            .ValidateDataAnnotations()
            .Validate(
                options => options.HasPublishableKeyOfRightShape,
                "Ticketing:Stripe:PublishableKey must be a publishable key, pk_test_... or pk_live_... (never the secret key).")
            .Validate(
                options => options.HasKeysOfOneMode,
                "Ticketing:Stripe:PublishableKey and Ticketing:Stripe:SecretKey must both be test keys or both live keys.")
            .Validate(
                options => options.HasCheckoutUrlOfRightShape,
                "Ticketing:Stripe:CheckoutUrl must be an absolute http or https URL (the emulator's /checkout as a browser reaches it).")
            .ValidateOnStart();
        // Well under Orleans' 30 s call timeout: a grain waiting on Stripe must
        // hear back (or give up) while its caller still listens.
        builder.Services.AddHttpClient(StripeHttpClient, http => http.Timeout = TimeSpan.FromSeconds(10));
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<StripeOptions>>().Value;
            var http = services.GetRequiredService<IHttpClientFactory>().CreateClient(StripeHttpClient);
            return new StripeClient(new StripeClientOptions
            {
                ApiKey = options.SecretKey,
                ApiBase = options.ApiBase,
                HttpClient = new SystemNetHttpClient(http, maxNetworkRetries: 1),
            });
        });
        builder.Services.AddSingleton(new PaymentsOrigin(builder.Configuration[Hosting.SettingKeys.ServiceId] ?? "ticketing"));
        builder.Services.AddSingleton<StripePayments>();
        builder.Services.AddSingleton<PaymentInbox>();
        builder.Services.AddSingleton<OrderMetrics>();
    }
}
