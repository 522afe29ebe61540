using System.Text;
using Ticketing.Api.Hosting;

namespace Ticketing.Api.Auth;

/// <summary>
/// Ticketing:Auth configuration: an HS256 key, or an OpenID Connect authority;
/// with the authority, a client id (and secret) lets people sign in through it.
/// </summary>
internal sealed record AuthOptions(string? SigningKey, string Issuer, string Audience, string? Authority)
{
    /// <summary>This silo's client id at the authority, for browser sign-in (<see cref="SignsInWithOpenIdConnect"/>).</summary>
    public string? ClientId { get; init; }

    public string? ClientSecret { get; init; }

    public static AuthOptions From(IConfiguration configuration)
    {
        var options = new AuthOptions(
            configuration[SettingKeys.AuthSigningKey] is { Length: > 0 } key ? key : null,
            configuration[SettingKeys.AuthIssuer] ?? "ticketing",
            configuration[SettingKeys.AuthAudience] ?? "ticketing-api",
            configuration[SettingKeys.AuthAuthority] is { Length: > 0 } authority ? authority : null)
        {
            ClientId = configuration[SettingKeys.AuthClientId] is { Length: > 0 } clientId ? clientId : null,
            ClientSecret = configuration[SettingKeys.AuthClientSecret] is { Length: > 0 } clientSecret ? clientSecret : null,
        };

        if (options.Authority is null && options.SigningKey is null)
        {
            throw new InvalidOperationException("Set Ticketing__Auth__SigningKey (at least 32 bytes) or Ticketing__Auth__Authority.");
        }

        if (options.SigningKey is not null && Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
        {
            throw new InvalidOperationException("Ticketing__Auth__SigningKey must be at least 32 bytes of UTF-8.");
        }

        if (options.ClientId is not null && options.Authority is null)
        {
            throw new InvalidOperationException("Ticketing__Auth__ClientId is for sign-in through Ticketing__Auth__Authority, which is not set.");
        }

        return options;
    }

    /// <summary>People sign in in a browser through the authority (OpenID Connect, code flow).</summary>
    public bool SignsInWithOpenIdConnect => Authority is not null && ClientId is not null;

    /// <summary>
    /// The authority's metadata and keys must come over HTTPS, except from an
    /// authority on this machine (loopback), which nobody on the way can alter.
    /// </summary>
    public bool RequiresHttpsMetadata =>
        Authority is null || !Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || !authority.IsLoopback;

    public byte[] SigningKeyBytes =>
        Encoding.UTF8.GetBytes(SigningKey ?? throw new InvalidOperationException("No signing key is configured."));
}
