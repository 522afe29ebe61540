using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ticketing.Api.Auth;

/// <summary>Mints HS256 bearer tokens with the configured key, for development and tests.</summary>
internal static class TokenMinter
{
    public static string Mint(AuthOptions options, string userId, IEnumerable<string> roles, TimeSpan lifetime) =>
        Mint(options, userId, roles, [], [], lifetime);

    /// <summary>A token acting for <paramref name="organizations"/> (its own personal one when none), narrowed to <paramref name="events"/> when any.</summary>
    public static string Mint(
        AuthOptions options, string userId, IEnumerable<string> roles, IEnumerable<string> organizations, IEnumerable<Guid> events, TimeSpan lifetime)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, userId) };
        claims.AddRange(roles.Select(role => new Claim("role", role)));
        claims.AddRange(organizations.Select(organization => new Claim(CallerClaims.Organization, organization)));
        claims.AddRange(events.Select(eventId => new Claim(CallerClaims.Event, eventId.ToString())));
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Issuer,
            Audience = options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.Add(lifetime),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(options.SigningKeyBytes), SecurityAlgorithms.HmacSha256),
        });
    }
}
