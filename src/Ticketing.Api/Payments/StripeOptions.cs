using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Ticketing.Api.Payments;

/// <summary>Where Stripe is and the secrets it is reached and verified with (<c>Ticketing:Stripe</c>).</summary>
internal sealed partial class StripeOptions
{
    public const string Section = "Ticketing:Stripe";

    /// <summary>The host of Stripe's own API; any other <see cref="ApiBase"/> is the emulator.</summary>
    public const string StripeApiHost = "api.stripe.com";

    /// <summary>Stripe's API, or the emulator's in development.</summary>
    [Required]
    public string ApiBase { get; set; } = "https://api.stripe.com";

    [Required(ErrorMessage = "Ticketing:Stripe:SecretKey is required (sk_...).")]
    public string SecretKey { get; set; } = "";

    [Required(ErrorMessage = "Ticketing:Stripe:WebhookSecret is required (whsec_...).")]
    public string WebhookSecret { get; set; } = "";

    /// <summary>
    /// The key pages give Stripe.js (<c>pk_test_...</c> or <c>pk_live_...</c>); meant
    /// to be public. Unused with the emulator; without it, real Stripe takes no
    /// payment from the pages.
    /// </summary>
    public string? PublishableKey { get; set; }

    /// <summary>
    /// The emulator's hosted payment page as a browser reaches it, when that is
    /// not <see cref="ApiBase"/> (the silo reaching the emulator by a service
    /// name in docker-compose, the browser by a published port).
    /// </summary>
    public string? CheckoutUrl { get; set; }

    /// <summary>Whether payments go to Stripe itself rather than the emulator.</summary>
    public bool IsStripe => Uri.TryCreate(ApiBase, UriKind.Absolute, out var url)
        && url.Host.Equals(StripeApiHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>The emulator's hosted payment page, to which a page appends <c>/{clientSecret}?return_url=...</c>.</summary>
    public string EmulatorCheckoutUrl =>
        (string.IsNullOrEmpty(CheckoutUrl) ? ApiBase.TrimEnd('/') + "/checkout" : CheckoutUrl).TrimEnd('/');

    public bool HasPublishableKeyOfRightShape =>
        string.IsNullOrEmpty(PublishableKey) || PublishableKeyShape().IsMatch(PublishableKey);

    /// <summary>A test key with a live secret key (or the other way round) fails in the browser only; refuse it at start.</summary>
    public bool HasKeysOfOneMode =>
        !IsStripe || string.IsNullOrEmpty(PublishableKey) || IsLive(PublishableKey) == IsLive(SecretKey);

    public bool HasCheckoutUrlOfRightShape =>
        string.IsNullOrEmpty(CheckoutUrl)
        || (Uri.TryCreate(CheckoutUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps));

    private static bool IsLive(string key) => key.Contains("_live_", StringComparison.Ordinal);

    [GeneratedRegex("^pk_(test|live)_[A-Za-z0-9]+$")]
    private static partial Regex PublishableKeyShape();
}
