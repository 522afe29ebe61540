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
