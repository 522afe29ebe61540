using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Apis;

internal static class PaymentIntentsApi
{
    private static readonly string[] CancellationReasons = ["duplicate", "fraudulent", "requested_by_customer", "abandoned"];

    public static void MapPaymentIntentsApi(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/payment_intents", Create);
        v1.MapGet("/payment_intents/{id}", Get);
        v1.MapPost("/payment_intents/{id}/confirm", Confirm);
        v1.MapPost("/payment_intents/{id}/cancel", Cancel);
    }

    public static StripeResult Create(ApiRequest request, Ledger ledger) =>
        Respond(request, ledger, ledger.CreatePaymentIntent(PaymentIntentCreation.From(request.Parameters), request.Origin));

    public static StripeResult Get(string id, ApiRequest request, Ledger ledger) =>
        Respond(request, ledger, ledger.GetPaymentIntent(id));

    public static StripeResult Confirm(string id, ApiRequest request, Ledger ledger) =>
        Respond(request, ledger, ledger.ConfirmPaymentIntent(id, request.Parameters.String("payment_method"), request.Origin));

    public static StripeResult Cancel(string id, ApiRequest request, Ledger ledger)
    {
        var reason = request.Parameters.String("cancellation_reason");
        if (reason is not null && !CancellationReasons.Contains(reason))
        {
            throw StripeApiException.ParameterInvalid(
                "cancellation_reason", $"Invalid cancellation_reason: must be one of {string.Join(", ", CancellationReasons)}");
        }

        return Respond(request, ledger, ledger.CancelPaymentIntent(id, reason, request.Origin));
    }

    private static StripeResult Respond(ApiRequest request, Ledger ledger, PaymentIntent intent) =>
        StripeResult.Ok(ledger.Expand(intent, request.Parameters.Array("expand")));
}
