using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Ticketing.Api.Hosting;
using Ticketing.Persistence.Sessions;

namespace Ticketing.Api.Auth;

/// <summary>
/// Data protection's key ring in PostgreSQL (<see cref="SessionKeyStore"/>):
/// it seals session cookies, antiforgery tokens and OpenID Connect state, and
/// a browser's next request may reach any silo, so all silos must share it.
/// </summary>
internal sealed class SessionKeyRing(SessionKeyStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => [.. store.All().Select(xml => XElement.Parse(xml))];

    public void StoreElement(XElement element, string friendlyName) =>
        store.Add(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}

/// <summary>
/// Seals each key's secret (AES-256-GCM) before it goes to the database, with
/// a key derived from a secret every silo already has: whoever can read the
/// database must not be able to forge an operator's session with what it finds.
/// </summary>
internal sealed class SessionKeyEncryptor(IConfiguration configuration) : IXmlEncryptor
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(SealingKey(configuration), TagBytes))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag);
        }

        var sealedElement = new XElement("sealed",
            new XAttribute("nonce", Convert.ToBase64String(nonce)),
            new XAttribute("tag", Convert.ToBase64String(tag)),
            Convert.ToBase64String(ciphertext));
        return new EncryptedXmlInfo(sealedElement, typeof(SessionKeyDecryptor));
    }

    /// <summary>
    /// From the signing key, or without one (an authority's tokens) the Stripe
    /// webhook secret, as the admission passes do: changing it ends every session.
    /// </summary>
    public static byte[] SealingKey(IConfiguration configuration)
    {
        var secret = configuration[SettingKeys.AuthSigningKey] is { Length: > 0 } signingKey ? signingKey
            : configuration[SettingKeys.StripeWebhookSecret] is { Length: > 0 } webhookSecret ? webhookSecret
            : throw new InvalidOperationException("Session keys are sealed with Ticketing__Auth__SigningKey or Ticketing__Stripe__WebhookSecret; neither is set.");
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret), 32, salt: [], info: "ticketing session key ring"u8.ToArray());
    }
}

/// <summary>Opens what <see cref="SessionKeyEncryptor"/> sealed; data protection creates it by its type name, with the silo's services.</summary>
internal sealed class SessionKeyDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var nonce = Convert.FromBase64String((string?)encryptedElement.Attribute("nonce") ?? throw new CryptographicException("A sealed session key without its nonce."));
        var tag = Convert.FromBase64String((string?)encryptedElement.Attribute("tag") ?? throw new CryptographicException("A sealed session key without its tag."));
        var ciphertext = Convert.FromBase64String(encryptedElement.Value);
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(SessionKeyEncryptor.SealingKey(services.GetRequiredService<IConfiguration>()), tag.Length))
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext);
        }

        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
