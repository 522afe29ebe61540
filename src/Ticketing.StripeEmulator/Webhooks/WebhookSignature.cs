using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Ticketing.StripeEmulator.Webhooks;

/// <summary>
/// Stripe's <c>Stripe-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>
/// over <c>"{t}.{body}"</c>, keyed with the UTF-8 bytes of the whole secret, <c>whsec_</c> prefix included.
/// </summary>
public static class WebhookSignature
{
    public static string Header(string secret, long timestamp, string payload)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
