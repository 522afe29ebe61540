using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace Ticketing.Api.Auth;

/// <summary>
/// Bearer tokens the JWT handler accepted, remembered for a short while (never
/// past the token's own expiry), keyed by the SHA-256 of the exact header
/// text, so any other token, or a changed byte, is validated afresh. An
/// on-sale keeps one entry for every buyer whose page polls, so an entry keeps
/// only the values of the claims the rules read (a session's claims and the
/// expiry): a few objects a buyer, which the garbage collector copies as a new
/// buyer's entry ages. Each request gets its own identity built from them.
/// </summary>
internal sealed class ValidatedTokens(TimeProvider clock)
{
    private const int MaxEntries = 200_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>What the rules read of a bearer token, and its expiry, which a session made from it keeps (<see cref="Sessions.PropertiesFor"/>).</summary>
    private static readonly string[] Read = [.. Sessions.Kept, "exp"];

    private readonly ConcurrentDictionary<TokenDigest, Validated> validated = new();
    private Shape? shape;

    /// <summary>The caller a remembered header names, as a fresh principal; null when it is not remembered or no longer may be.</summary>
    public ClaimsPrincipal? Find(string authorization)
    {
        return validated.TryGetValue(TokenDigest.Of(authorization), out var hit) && hit.Until > clock.GetUtcNow()
            ? hit.Principal()
            : null;
    }

    /// <summary>Remembers the caller the JWT handler found for this header, until <paramref name="expires"/> at the latest.</summary>
    public void Remember(string authorization, ClaimsPrincipal principal, DateTimeOffset expires)
    {
        if (principal.Identity is not ClaimsIdentity identity)
        {
            return;
        }

        if (validated.Count >= MaxEntries)
        {
            validated.Clear();
        }

        var now = clock.GetUtcNow();
        var seen = new Shape(identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType);
        var shared = seen == shape ? shape! : shape = seen;
        var kept = new List<KeptClaim>();
        foreach (var claim in identity.Claims)
        {
            if (Array.IndexOf(Read, claim.Type) is var type and >= 0)
            {
                kept.Add(new KeptClaim(Read[type], claim.Value));
            }
        }

        validated[TokenDigest.Of(authorization)] = new Validated([.. kept], shared, expires < now + MaxAge ? expires : now + MaxAge);
    }

    /// <summary>A kept claim; its type is one of <see cref="Read"/>'s strings, shared by every entry.</summary>
    private readonly record struct KeptClaim(string Type, string Value);

    /// <summary>How the handler built the identity: the same for nearly every entry, so shared.</summary>
    private sealed record Shape(string? AuthenticationType, string NameClaimType, string RoleClaimType);

    private sealed record Validated(KeptClaim[] Claims, Shape Shape, DateTimeOffset Until)
    {
        public ClaimsPrincipal Principal()
        {
            // A claim made for another identity is copied as it is added; these are made for this one.
            var identity = new ClaimsIdentity(Shape.AuthenticationType, Shape.NameClaimType, Shape.RoleClaimType);
            foreach (var (type, value) in Claims)
            {
                identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
            }

            return new ClaimsPrincipal(identity);
        }
    }

    private readonly record struct TokenDigest(ulong A, ulong B, ulong C, ulong D)
    {
        /// <summary>A header past this many bytes is hashed from a buffer of its own rather than the stack.</summary>
        private const int OnTheStack = 2048;

        public static TokenDigest Of(string text)
        {
            var length = Encoding.UTF8.GetByteCount(text);
            var large = length > OnTheStack ? new byte[length] : null;
            Span<byte> bytes = large ?? stackalloc byte[OnTheStack];
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(text, bytes)], hash);
            var words = MemoryMarshal.Cast<byte, ulong>(hash);
            return new TokenDigest(words[0], words[1], words[2], words[3]);
        }
    }
}
