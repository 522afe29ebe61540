using Microsoft.AspNetCore.WebUtilities;
using Ticketing.StripeEmulator.Payments;

namespace Ticketing.StripeEmulator.Checkout;

/// <summary>
/// Where the hosted page sends the buyer back, as Stripe.js's <c>return_url</c>:
/// an absolute http(s) URL, to which Stripe's redirect parameters are added
/// after its own query and before its fragment.
/// </summary>
public sealed record ReturnUrl(Uri Url)
{
    public const string Parameter = "return_url";

    public static ReturnUrl? Parse(string? text, out string problem)
    {
        problem = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "The link has no return_url, so there is no page to send you back to.";
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
        {
            problem = "The link's return_url is not an absolute URL.";
            return null;
        }

        if (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
        {
            problem = "The link's return_url is not an http or https URL.";
            return null;
        }

        return new ReturnUrl(url);
    }

    /// <summary>The URL with <c>payment_intent</c>, <c>payment_intent_client_secret</c> and <c>redirect_status</c> added.</summary>
    public string After(PaymentIntent intent, string redirectStatus) => QueryHelpers.AddQueryString(
        Url.AbsoluteUri,
        new KeyValuePair<string, string?>[]
        {
            new("payment_intent", intent.Id),
            new("payment_intent_client_secret", intent.ClientSecret),
            new("redirect_status", redirectStatus),
        });
}
