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
/// for every buyer whose page polls, so an entry keeps only what the rules
/// read (the claims a session keeps, and the expiry) and the token's lifetime, not the
/// parsed token.
/// </summary>
internal sealed class ValidatedTokenCache(TimeProvider clock) : JsonWebTokenHandler
{
    private const int MaxEntries = 200_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    /// <summary>What the rules read of a bearer token, and its expiry, which a session made from it keeps (<see cref="Sessions.PropertiesFor"/>).</summary>
    private static readonly string[] Read = [.. Sessions.Kept, "exp"];

    private readonly ConcurrentDictionary<TokenDigest, Validated> validated = new();

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
            var identity = new ClaimsIdentity(
                Sessions.Only(result.ClaimsIdentity.Claims, Read),
                result.ClaimsIdentity.AuthenticationType, result.ClaimsIdentity.NameClaimType, result.ClaimsIdentity.RoleClaimType);
            var entry = new Validated(identity, new ValidatedToken(jwt), expires < now + MaxAge ? expires : now + MaxAge);
            validated[digest] = entry;
            // The first call sees what every later one will.
            return entry.Result();
        }

        return result;
    }

    private sealed record Validated(ClaimsIdentity Identity, ValidatedToken Token, DateTimeOffset Until)
    {
        public TokenValidationResult Result() => new() { IsValid = true, ClaimsIdentity = Identity, SecurityToken = Token };
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
    private sealed class ValidatedToken(JsonWebToken jwt) : SecurityToken
    {
        public override string Id { get; } = jwt.Id;

        public override string Issuer { get; } = jwt.Issuer;

        public override SecurityKey? SecurityKey => null;

        public override SecurityKey? SigningKey { get; set; }

        public override DateTime ValidFrom { get; } = jwt.ValidFrom;

        public override DateTime ValidTo { get; } = jwt.ValidTo;
    }
}
