using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ticketing.Api.Tests;

/// <summary>
/// A minimal OpenID Connect provider on Kestrel, for a real sign-in round trip:
/// discovery, the authorize endpoint (code flow, PKCE with S256 required),
/// the token endpoint (checks the client secret, the redirect URI and the
/// code verifier) and the JWKS its RS256 ID tokens are checked against. Whoever
/// is <see cref="User"/> signs in at it without a question.
/// </summary>
public sealed class OpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "ticketing-web";
    public const string ClientSecret = "provider-client-secret-0123456789";

    private readonly RSA key = RSA.Create(2048);
    private readonly RSA strangerKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> grants = new();
    private WebApplication app = null!;

    private OpenIdProvider()
    {
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Who signs in next: the ID token's sub, role and org claims.</summary>
    public (string Subject, string[] Roles, string[] Organizations) User { get; set; } = ("idp-user", ["buyer"], []);

    /// <summary>Sign ID tokens with a key the JWKS does not publish (a forgery).</summary>
    public bool SignWithAnotherKey { get; set; }

    /// <summary>The authorize requests it received, as their query strings' fields.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Authorizations { get; } = new();

    /// <summary>How many codes were redeemed with the right secret and code verifier.</summary>
    public int Redeemed => redeemed;

    private int redeemed;

    public static async Task<OpenIdProvider> StartAsync()
    {
        var provider = new OpenIdProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        provider.app = builder.Build();
        provider.app.MapGet("/.well-known/openid-configuration", provider.Discovery);
        provider.app.MapGet("/jwks", provider.Keys);
        provider.app.MapGet("/authorize", provider.Authorize);
        provider.app.MapPost("/token", provider.Token);
        await provider.app.StartAsync();
        provider.Address = new Uri(provider.app.Urls.Single());
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        key.Dispose();
        strangerKey.Dispose();
    }

    private string Issuer => Address.ToString().TrimEnd('/');

    private IResult Discovery() => Results.Content(
        $$"""
        {
          "issuer": "{{Issuer}}",
          "authorization_endpoint": "{{Issuer}}/authorize",
          "token_endpoint": "{{Issuer}}/token",
          "jwks_uri": "{{Issuer}}/jwks",
          "response_types_supported": ["code"],
          "subject_types_supported": ["public"],
          "id_token_signing_alg_values_supported": ["RS256"],
          "code_challenge_methods_supported": ["S256"],
          "token_endpoint_auth_methods_supported": ["client_secret_post"]
        }
        """,
        "application/json");

    private IResult Keys()
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return Results.Json(new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = "provider-key", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query.ToDictionary(field => field.Key, field => field.Value.ToString());
        Authorizations.Enqueue(query);
        if (query.GetValueOrDefault("client_id") != ClientId || query.GetValueOrDefault("response_type") != "code"
            || query.GetValueOrDefault("code_challenge_method") != "S256" || !query.TryGetValue("code_challenge", out var challenge)
            || !query.TryGetValue("redirect_uri", out var redirectUri) || !query.TryGetValue("nonce", out var nonce))
        {
            return Results.BadRequest("not an authorization request this provider takes");
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        grants[code] = new Grant(redirectUri, challenge, nonce, User);
        var state = query.GetValueOrDefault("state", "");
        if (query.GetValueOrDefault("response_mode") == "form_post")
        {
            // What a provider's page does: a form the browser posts back to the client at once.
            var page = $"""
                <html><body onload="document.forms[0].submit()">
                <form method="post" action="{WebUtility.HtmlEncode(redirectUri)}">
                <input type="hidden" name="code" value="{code}">
                <input type="hidden" name="state" value="{WebUtility.HtmlEncode(state)}">
                </form></body></html>
                """;
            return Results.Content(page, "text/html");
        }

        return Results.Redirect($"{redirectUri}?code={code}&state={Uri.EscapeDataString(state)}");
    }

    private async Task<IResult> Token(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["grant_type"] != "authorization_code" || !grants.TryRemove(form["code"].ToString(), out var grant))
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        var verifier = form["code_verifier"].ToString();
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (form["redirect_uri"] != grant.RedirectUri || verifier.Length == 0 || challenge != grant.CodeChallenge)
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: StatusCodes.Status400BadRequest);
        }

        Interlocked.Increment(ref redeemed);
        var now = DateTime.UtcNow;
        var signing = new RsaSecurityKey(SignWithAnotherKey ? strangerKey : key) { KeyId = "provider-key" };
        var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = grant.User.Subject,
                ["role"] = grant.User.Roles,
                ["org"] = grant.User.Organizations,
                ["nonce"] = grant.Nonce,
                ["name"] = "Somebody at the provider",
            },
            SigningCredentials = new SigningCredentials(signing, SecurityAlgorithms.RsaSha256),
        });
        return Results.Json(new { access_token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), token_type = "Bearer", expires_in = 300, id_token = idToken });
    }

    private sealed record Grant(string RedirectUri, string CodeChallenge, string Nonce, (string Subject, string[] Roles, string[] Organizations) User);
}
