using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace Ticketing.Api.Auth;

/// <summary>
/// Bearer tokens the JWT handler accepted, remembered for a short while (never
/// past the token's own expiry), keyed by the SHA-256 of the exact header
/// text, so any other token, or a changed byte, is validated afresh. An entry
/// keeps a principal of only the claims the rules read (a session's claims and
/// the expiry), built once and given to every request that sends the token:
/// nothing in the API changes a principal, and building one for each request
/// was most of what a remembered token still allocated.
/// </summary>
internal sealed class ValidatedTokens(TimeProvider clock, int maxEntries = ValidatedTokens.MaxEntries)
{
    /// <summary>Past this many tokens remembered, it starts again empty.</summary>
    public const int MaxEntries = 200_000;

    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    /// <summary>What the rules read of a bearer token, and its expiry, which a session made from it keeps (<see cref="Sessions.PropertiesFor"/>).</summary>
    private static readonly string[] Read = [.. Sessions.Kept, "exp"];

    private readonly ConcurrentDictionary<TokenDigest, Validated> validated = new();
    private int added;

    /// <summary>The caller a remembered header names; null when it is not remembered or no longer may be.</summary>
    public ClaimsPrincipal? Find(string authorization) =>
        validated.TryGetValue(TokenDigest.Of(authorization), out var hit) && hit.Until > clock.GetUtcNow() ? hit.Principal : null;

    /// <summary>Remembers the caller the JWT handler found for this header, until <paramref name="expires"/> at the latest.</summary>
    public void Remember(string authorization, ClaimsPrincipal principal, DateTimeOffset expires)
    {
        if (principal.Identity is not ClaimsIdentity found)
        {
            return;
        }

        // A claim made for another identity is copied as it is added; these are made for this one.
        var identity = new ClaimsIdentity(found.AuthenticationType, found.NameClaimType, found.RoleClaimType);
        foreach (var claim in found.Claims)
        {
            if (Array.IndexOf(Read, claim.Type) is var type and >= 0)
            {
                identity.AddClaim(new Claim(Read[type], claim.Value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
            }
        }

        var now = clock.GetUtcNow();
        var digest = TokenDigest.Of(authorization);
        var entry = new Validated(new ClaimsPrincipal(identity), expires < now + MaxAge ? expires : now + MaxAge);
        if (!validated.TryAdd(digest, entry))
        {
            validated[digest] = entry;
        }
        else if (Interlocked.Increment(ref added) > maxEntries)
        {
            // Counted here rather than read: the dictionary's Count takes every one of its locks, and
            // thousands of buyers joining at once spun on them.
            Volatile.Write(ref added, 0);
            validated.Clear();
        }
    }

    private sealed record Validated(ClaimsPrincipal Principal, DateTimeOffset Until);

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
