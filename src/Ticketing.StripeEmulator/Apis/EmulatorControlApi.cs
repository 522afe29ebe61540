using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.StripeEmulator.Control;
using Ticketing.StripeEmulator.Webhooks;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Apis;

/// <summary>The test controls over HTTP (not Stripe's; no key needed). Stripe objects come back in Stripe's shape.</summary>
internal static class EmulatorControlApi
{
    public static void MapEmulatorControlApi(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/_emulator");
        control.AddEndpointFilter<StripeErrorFilter>();
        control.MapGet("/deliveries", ListDeliveries);
        control.MapGet("/delivery", (EmulatorControl emulator) => TypedResults.Ok(emulator.Delivery));
        control.MapPost("/delivery", ConfigureDelivery);
        control.MapPost("/flush", (EmulatorControl emulator) => TypedResults.Ok(new { released = emulator.Flush() }));
        control.MapPost("/events/{id}/resend", (string id, EmulatorControl emulator) => StripeResult.Ok(emulator.Resend(id)));
        control.MapPost("/disputes", OpenDispute);
        control.MapPost("/disputes/{id}/close", CloseDispute);
        control.MapPost("/payment_intents/{id}/succeed", (string id, EmulatorControl emulator) => StripeResult.Ok(emulator.Succeed(id)));
    }

    public static Ok<DeliveryAttempt[]> ListDeliveries(EmulatorControl emulator, string? eventId) =>
        TypedResults.Ok(emulator.Deliveries.Where(a => eventId is null || a.EventId == eventId).ToArray());

    public static Ok<DeliverySettings> ConfigureDelivery(DeliverySettings settings, EmulatorControl emulator)
    {
        emulator.ConfigureDelivery(settings);
        return TypedResults.Ok(emulator.Delivery);
    }

    public static StripeResult OpenDispute(OpenDisputeRequest request, EmulatorControl emulator) =>
        StripeResult.Ok(emulator.OpenDispute(
            request.PaymentIntent ?? throw StripeApiException.ParameterMissing("paymentIntent"), request.Reason));

    public static StripeResult CloseDispute(string id, CloseDisputeRequest request, EmulatorControl emulator) =>
        StripeResult.Ok(emulator.CloseDispute(id, request.Status ?? throw StripeApiException.ParameterMissing("status")));
}
