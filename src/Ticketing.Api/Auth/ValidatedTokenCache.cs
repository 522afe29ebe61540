using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ticketing.Api.Auth;

/// <summary>
/// A buyer in an on-sale sends the same bearer token many times a second;
/// checking its signature and claims each time is a large share of an API
/// call's CPU. A token that validated is remembered for a short while (never
/// past its own expiry), keyed by the SHA-256 of its exact text, so any other
/// token, or a changed byte, is validated afresh. An on-sale keeps one entry
/// for every buyer whose page polls, so an entry keeps only the values of the
/// claims the rules read (a session's claims and the expiry) and the token's
/// lifetime: a few objects a buyer, which the garbage collector copies as a
/// new buyer's entry ages. Each request gets its own identity built from them.
/// </summary>
internal sealed class ValidatedTokenCache(TimeProvider clock) : JsonWebTokenHandler
{
    private const int MaxEntries = 200_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    /// <summary>What the rules read of a bearer token, and its expiry, which a session made from it keeps (<see cref="Sessions.PropertiesFor"/>).</summary>
    private static readonly string[] Read = [.. Sessions.Kept, "exp"];

    private readonly ConcurrentDictionary<TokenDigest, Validated> validated = new();
    private Shape? shape;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        var digest = TokenDigest.Of(token);
        if (validated.TryGetValue(digest, out var hit) && hit.Until > now)
        {
            return hit.Result();
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt)
        {
            if (validated.Count >= MaxEntries)
            {
                validated.Clear();
            }

            var expires = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
            var identity = result.ClaimsIdentity;
            var seen = new Shape(identity.AuthenticationType, identity.NameClaimType, identity.RoleClaimType, jwt.Issuer);
            var shared = seen == shape ? shape! : shape = seen;
            var entry = new Validated(
                [.. identity.Claims.Where(claim => Read.Contains(claim.Type, StringComparer.Ordinal)).Select(claim => new KeptClaim(Read.First(type => type == claim.Type), claim.Value))],
                shared, jwt.Id, jwt.ValidFrom, jwt.ValidTo,
                expires < now + MaxAge ? expires : now + MaxAge);
            validated[digest] = entry;
            // The first call sees what every later one will.
            return entry.Result();
        }

        return result;
    }

    /// <summary>A kept claim; its type is one of <see cref="Read"/>'s strings, shared by every entry.</summary>
    private readonly record struct KeptClaim(string Type, string Value);

    /// <summary>How the handler built the identity, and who issued the token: the same for nearly every entry, so shared.</summary>
    private sealed record Shape(string? AuthenticationType, string NameClaimType, string RoleClaimType, string Issuer);

    private sealed record Validated(KeptClaim[] Claims, Shape Shape, string Id, DateTime ValidFrom, DateTime ValidTo, DateTimeOffset Until)
    {
        public TokenValidationResult Result() => new()
        {
            IsValid = true,
            ClaimsIdentity = new ClaimsIdentity(
                Claims.Select(claim => new Claim(claim.Type, claim.Value)), Shape.AuthenticationType, Shape.NameClaimType, Shape.RoleClaimType),
            SecurityToken = new ValidatedToken(Id, Shape.Issuer, ValidFrom, ValidTo),
        };
    }

    private readonly record struct TokenDigest(ulong A, ulong B, ulong C, ulong D)
    {
        public static TokenDigest Of(string token)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
            var words = MemoryMarshal.Cast<byte, ulong>(hash);
            return new TokenDigest(words[0], words[1], words[2], words[3]);
        }
    }

    /// <summary>What the bearer handler reads of a validated token: who issued it and when it is valid.</summary>
    private sealed class ValidatedToken(string id, string issuer, DateTime validFrom, DateTime validTo) : SecurityToken
    {
        public override string Id => id;

        public override string Issuer => issuer;

        public override SecurityKey? SecurityKey => null;

        public override SecurityKey? SigningKey { get; set; }

        public override DateTime ValidFrom => validFrom;

        public override DateTime ValidTo => validTo;
    }
}
