using Stripe;
using Ticketing.StripeEmulator.Webhooks;

namespace Ticketing.StripeEmulator.Tests;

public sealed class WebhookSignatureTests
{
    [Fact]
    public void Header_IsWhatStripeNetComputes()
    {
        const string secret = "whsec_abc123";
        const string payload = "{\"id\":\"evt_1\",\"note\":\"caf\u00e9\"}";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var header = WebhookSignature.Header(secret, timestamp, payload);

        Assert.Equal($"t={timestamp},v1={EventUtility.ComputeSignature(secret, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture), payload)}", header);
        EventUtility.ValidateSignature(payload, header, secret);
    }

    [Fact]
    public void Header_WithAnotherSecret_FailsValidation()
    {
        var header = WebhookSignature.Header("whsec_one", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "{}");

        Assert.Throws<StripeException>(() => EventUtility.ValidateSignature("{}", header, "whsec_two"));
    }
}
