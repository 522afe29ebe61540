using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ticketing.Api.Auth;

/// <summary>
/// A buyer in an on-sale sends the same bearer token many times a second;
/// checking its signature and claims each time is a large share of an API
/// call's CPU. A token that validated is remembered for a short while (never
/// past its own expiry), keyed by its exact text, so any other token, or a
/// changed byte, is validated afresh.
/// </summary>
internal sealed class ValidatedTokenCache(TimeProvider clock) : JsonWebTokenHandler
{
    private const int MaxEntries = 100_000;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTimeOffset Until)> validated = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = clock.GetUtcNow();
        if (validated.TryGetValue(token, out var hit) && hit.Until > now)
        {
            return hit.Result;
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken jwt)
        {
            if (validated.Count >= MaxEntries)
            {
                validated.Clear();
            }

            var expires = new DateTimeOffset(DateTime.SpecifyKind(jwt.ValidTo, DateTimeKind.Utc));
            validated[token] = (result, expires < now + MaxAge ? expires : now + MaxAge);
        }

        return result;
    }
}
