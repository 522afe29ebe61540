using Microsoft.AspNetCore.Mvc;
using Ticketing.StripeEmulator.Checkout;
using Ticketing.StripeEmulator.Events;
using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Apis;

/// <summary>
/// The hosted payment page, standing in for Stripe.js's Payment Element: a
/// browser with a payment intent's client secret pays it with a test card and
/// is sent back to <c>return_url</c> as Stripe sends it back. Not Stripe's API:
/// no key, the client secret is the browser's proof, as it is for Stripe.js.
/// </summary>
internal static class CheckoutApi
{
    public static void MapCheckoutApi(this IEndpointRouteBuilder app)
    {
        var checkout = app.MapGroup("/checkout");
        checkout.MapGet("/{clientSecret}", Show);
        checkout.MapPost("/{clientSecret}", PayAsync);
    }

    public static CheckoutPage Show(string clientSecret, [FromQuery(Name = ReturnUrl.Parameter)] string? returnUrl, Ledger ledger)
    {
        if (ledger.FindByClientSecret(clientSecret) is not { } intent)
        {
            return CheckoutPage.UnknownPayment();
        }

        if (ReturnUrl.Parse(returnUrl, out var problem) is not { } back)
        {
            return CheckoutPage.BadReturnUrl(problem);
        }

        return IsSettled(intent)
            ? CheckoutPage.Settled(intent, back, StatusCodes.Status200OK)
            : CheckoutPage.Form(intent, CardEntry.Empty, new Dictionary<string, string>());
    }

    /// <summary>
    /// Confirms the intent exactly as <c>POST /v1/payment_intents/{id}/confirm</c>
    /// does, with the test card's payment method, so the same charge and webhooks
    /// follow; then sends the browser back, paid or declined.
    /// </summary>
    public static async Task<IResult> PayAsync(
        string clientSecret, [FromQuery(Name = ReturnUrl.Parameter)] string? returnUrl, HttpContext context, Ledger ledger, TimeProvider clock)
    {
        if (ledger.FindByClientSecret(clientSecret) is not { } intent)
        {
            return CheckoutPage.UnknownPayment();
        }

        if (ReturnUrl.Parse(returnUrl, out var problem) is not { } back)
        {
            return CheckoutPage.BadReturnUrl(problem);
        }

        if (IsSettled(intent))
        {
            return CheckoutPage.Settled(intent, back, StatusCodes.Status409Conflict);
        }

        var entry = context.Request.HasFormContentType
            ? CardEntry.From(await context.Request.ReadFormAsync(context.RequestAborted))
            : CardEntry.Empty;

        if (entry.PaymentMethod(clock.GetUtcNow(), out var errors) is not { } paymentMethod)
        {
            return CheckoutPage.Form(intent, entry, errors);
        }

        try
        {
            var paid = ledger.ConfirmPaymentIntent(intent.Id, paymentMethod, new EventRequest(ApiRequest.IdOf(context), IdempotencyKey: null));
            return new SeeOther(back.After(paid, "succeeded"));
        }
        catch (StripeApiException declined) when (declined.Error.Type == StripeError.CardError)
        {
            return new SeeOther(back.After(intent, "failed"));
        }
        catch (StripeApiException refused) when (refused.Error.Code == "payment_intent_unexpected_state")
        {
            // Another submission paid (or the shop canceled) it since this one looked: nothing is charged twice.
            return CheckoutPage.Settled(ledger.GetPaymentIntent(intent.Id), back, StatusCodes.Status409Conflict);
        }
    }

    private static bool IsSettled(PaymentIntent intent) =>
        intent.Status is PaymentIntentStatus.Succeeded or PaymentIntentStatus.Canceled;
}
