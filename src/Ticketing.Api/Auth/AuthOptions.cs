using System.Text;
using Ticketing.Api.Hosting;

namespace Ticketing.Api.Auth;

/// <summary>Ticketing:Auth configuration: an HS256 key, or an OpenID Connect authority.</summary>
internal sealed record AuthOptions(string? SigningKey, string Issuer, string Audience, string? Authority)
{
    public static AuthOptions From(IConfiguration configuration)
    {
        var options = new AuthOptions(
            configuration[SettingKeys.AuthSigningKey] is { Length: > 0 } key ? key : null,
            configuration[SettingKeys.AuthIssuer] ?? "ticketing",
            configuration[SettingKeys.AuthAudience] ?? "ticketing-api",
            configuration[SettingKeys.AuthAuthority] is { Length: > 0 } authority ? authority : null);

        if (options.Authority is null && options.SigningKey is null)
        {
            throw new InvalidOperationException("Set Ticketing__Auth__SigningKey (at least 32 bytes) or Ticketing__Auth__Authority.");
        }

        if (options.SigningKey is not null && Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
        {
            throw new InvalidOperationException("Ticketing__Auth__SigningKey must be at least 32 bytes of UTF-8.");
        }

        return options;
    }

    public byte[] SigningKeyBytes =>
        Encoding.UTF8.GetBytes(SigningKey ?? throw new InvalidOperationException("No signing key is configured."));
}
