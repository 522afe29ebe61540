using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>What a hold's admission pass turned out to be.</summary>
public enum PassCheck
{
    /// <summary>The caller's own pass for this on-sale, not expired.</summary>
    Valid,

    /// <summary>No pass was sent.</summary>
    Missing,

    /// <summary>Not a pass, forged, another buyer's, or another on-sale's.</summary>
    Invalid,

    /// <summary>A genuine pass whose time ran out.</summary>
    Expired,
}

/// <summary>
/// Admission passes: signed, bound to one buyer and one on-sale, with their
/// expiry inside, so a hold checks one with a MAC and no lookup. The buyer is
/// not written in the pass: it is MACed, and the hold's caller must be that
/// buyer for the MAC to match.
/// </summary>
public sealed class AdmissionPasses(IOptions<PassOptions> options)
{
    private const string Version = "p1";
    private const int PayloadBytes = 16 + 8;
    private const int MacBytes = 16;

    private readonly byte[] key = options.Value.KeyBytes();

    public string Issue(OnSaleRules onSale, string userId, DateTimeOffset expiresAt)
    {
        Span<byte> payload = stackalloc byte[PayloadBytes];
        onSale.Id.TryWriteBytes(payload[..16]);
        BinaryPrimitives.WriteInt64BigEndian(payload[16..], expiresAt.ToUnixTimeSeconds());
        return $"{Version}.{Base64Url(payload)}.{Base64Url(Mac(onSale, userId, payload))}";
    }

    public PassCheck Check(string? token, OnSaleRules onSale, string userId, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(token))
        {
            return PassCheck.Missing;
        }

        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0] != Version
            || !TryBase64Url(parts[1], PayloadBytes, out var payload)
            || !TryBase64Url(parts[2], MacBytes, out var mac)
            || new Guid(payload.AsSpan(0, 16)) != onSale.Id
            || !CryptographicOperations.FixedTimeEquals(mac, Mac(onSale, userId, payload)))
        {
            return PassCheck.Invalid;
        }

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(16)));
        return expiresAt > now ? PassCheck.Valid : PassCheck.Expired;
    }

    private byte[] Mac(OnSaleRules onSale, string userId, ReadOnlySpan<byte> payload)
    {
        var bound = Encoding.UTF8.GetBytes($"admission-pass|{onSale.EventId:N}|{userId}|");
        var message = new byte[bound.Length + payload.Length];
        bound.CopyTo(message, 0);
        payload.CopyTo(message.AsSpan(bound.Length));
        return HMACSHA256.HashData(key, message)[..MacBytes];
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryBase64Url(string text, int length, out byte[] bytes)
    {
        bytes = new byte[length];
        if (text.Length > 64)
        {
            return false;
        }

        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - padded.Length % 4) % 4);
        return Convert.TryFromBase64String(padded, bytes, out var written) && written == length;
    }
}

/// <summary>Ticketing:OnSales configuration.</summary>
public sealed class PassOptions
{
    public const string Section = "Ticketing:OnSales";

    /// <summary>
    /// The secret passes are signed with, shared by every silo. When unset the
    /// silo derives one from its token signing key (see the API's setup).
    /// </summary>
    public string? PassKey { get; set; }

    public byte[] KeyBytes() =>
        PassKey is { Length: > 0 } secret
            ? SHA256.HashData(Encoding.UTF8.GetBytes("ticketing admission passes|" + secret))
            : throw new InvalidOperationException($"No admission pass key: set {Section}:PassKey or the token signing key.");
}
