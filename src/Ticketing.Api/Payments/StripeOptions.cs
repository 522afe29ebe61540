using System.ComponentModel.DataAnnotations;

namespace Ticketing.Api.Payments;

/// <summary>Where Stripe is and the secrets it is reached and verified with (<c>Ticketing:Stripe</c>).</summary>
internal sealed class StripeOptions
{
    public const string Section = "Ticketing:Stripe";

    /// <summary>Stripe's API, or the emulator's in development.</summary>
    [Required]
    public string ApiBase { get; set; } = "https://api.stripe.com";

    [Required(ErrorMessage = "Ticketing:Stripe:SecretKey is required (sk_...).")]
    public string SecretKey { get; set; } = "";

    [Required(ErrorMessage = "Ticketing:Stripe:WebhookSecret is required (whsec_...).")]
    public string WebhookSecret { get; set; } = "";
}
