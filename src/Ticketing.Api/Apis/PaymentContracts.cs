using Ticketing.Api.Payments;

namespace Ticketing.Api.Apis;

/// <summary>
/// What a page needs to take a payment: <c>emulator</c> with the hosted page's
/// <c>checkoutUrl</c>, or <c>stripe</c> with the <c>publishableKey</c> for Stripe.js
/// (null when none is configured: the pages then take no payment). The other
/// field is null.
/// </summary>
internal sealed record PaymentsConfigResponse(string Mode, string? CheckoutUrl, string? PublishableKey)
{
    public const string Emulator = "emulator";
    public const string Stripe = "stripe";

    public static PaymentsConfigResponse From(StripeOptions options) => options.IsStripe
        ? new(Stripe, CheckoutUrl: null, string.IsNullOrEmpty(options.PublishableKey) ? null : options.PublishableKey)
        : new(Emulator, options.EmulatorCheckoutUrl, PublishableKey: null);
}
