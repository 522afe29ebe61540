using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Ticketing.StripeEmulator.Apis;
using Ticketing.StripeEmulator.Control;
using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Webhooks;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Hosting;

public static class EmulatorSetup
{
    public static IServiceCollection AddStripeEmulator(this IServiceCollection services)
    {
        services.AddOptions<EmulatorOptions>()
            .BindConfiguration(EmulatorOptions.Section)
            .Validate(
                options => options.WebhookUrl is null || options.WebhookSecret?.StartsWith("whsec_", StringComparison.Ordinal) == true,
                "StripeEmulator:WebhookSecret must be set to a whsec_... value when StripeEmulator:WebhookUrl is set.")
            .Validate(
                options => options.WebhookUrl is null || options.WebhookUrl.IsAbsoluteUri,
                "StripeEmulator:WebhookUrl must be an absolute URL.")
            .Validate(options => options.DeliveryConcurrency >= 1, "StripeEmulator:DeliveryConcurrency must be at least 1.")
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Ledger>();
        services.AddSingleton<IdempotentRequests>();
        services.AddSingleton<WebhookQueue>();
        services.AddSingleton<DeliveryLog>();
        services.AddSingleton<EmulatorControl>();
        services.AddHostedService<WebhookDispatcher>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
                client.Timeout = provider.GetRequiredService<IOptions<EmulatorOptions>>().Value.WebhookTimeout);
        return services;
    }

    public static IEndpointRouteBuilder MapStripeEmulator(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        // Outermost first: a request without a key never reaches the idempotency
        // cache, and errors are turned into Stripe's shape before they are cached.
        v1.AddEndpointFilter<StripeKeyFilter>();
        v1.AddEndpointFilter<IdempotencyFilter>();
        v1.AddEndpointFilter<StripeErrorFilter>();
        v1.MapPaymentIntentsApi();
        v1.MapChargesApi();
        v1.MapRefundsApi();
        v1.MapDisputesApi();
        v1.MapEventsApi();
        v1.MapMethods("/{**path}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete], UnrecognizedUrl);

        app.MapEmulatorControlApi();
        app.MapCheckoutApi();
        return app;
    }

    private static StripeResult UnrecognizedUrl(HttpRequest request) =>
        StripeResult.Error(StripeApiException.UnrecognizedUrl(request.Method, request.Path));
}
