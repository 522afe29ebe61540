using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Ticketing.Api.Limits;
using Ticketing.Api.Payments;

namespace Ticketing.Api.Apis;

internal static class PaymentsApi
{
    public static void MapPaymentsApi(this IEndpointRouteBuilder app)
    {
        var payments = app.MapGroup("/api/payments").WithTags("Payments");
        payments.MapGet("/config", GetConfig).RequireRateLimiting(RateLimits.Anonymous);
    }

    /// <summary>How pages take a payment</summary>
    /// <remarks>
    /// <c>emulator</c>: send the buyer to <c>{checkoutUrl}/{clientSecret}?return_url=...</c>,
    /// the emulator's hosted payment page. <c>stripe</c>: pay with Stripe.js and
    /// <c>publishableKey</c>; null when this deployment has none, and pages take no payment.
    /// Either way the buyer comes back to <c>return_url</c> with <c>payment_intent</c>,
    /// <c>payment_intent_client_secret</c> and <c>redirect_status</c>.
    /// </remarks>
    public static Ok<PaymentsConfigResponse> GetConfig(IOptions<StripeOptions> options) =>
        TypedResults.Ok(PaymentsConfigResponse.From(options.Value));
}
