using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Api.Problems;

namespace Ticketing.Api.Auth;

/// <summary>
/// A browser's session: a cookie carrying the same identity a bearer token
/// does (<c>sub</c>, <c>role</c>, <c>org</c>, <c>event</c>), so every policy,
/// <see cref="EventAccess"/> rule and rate limit treats both alike.
/// </summary>
internal static class Sessions
{
    /// <summary>The cookie scheme.</summary>
    public const string Scheme = "Session";

    /// <summary>The default scheme: the bearer token when the request has one, else the session cookie.</summary>
    public const string BearerOrSession = "BearerOrSession";

    public const string OpenIdConnectScheme = "OpenIdConnect";

    public const string CookieName = "ticketing.session";

    public const string AntiforgeryCookieName = "ticketing.antiforgery";

    /// <summary>The header a page sends its antiforgery token in.</summary>
    public const string AntiforgeryHeader = "X-CSRF-TOKEN";

    /// <summary>The hidden field a sign-in form sends it in (ASP.NET Core's own name for it).</summary>
    public const string AntiforgeryField = "__RequestVerificationToken";

    public const string SignInPath = "/signin";

    /// <summary>A gate shift: a session used within this long stays signed in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    /// <summary>The claims a session keeps of whatever signed it in: those every rule reads.</summary>
    public static readonly string[] Kept = ["sub", "role", CallerClaims.Organization, CallerClaims.Event];

    /// <summary>The one header check that picks the scheme: as the bearer handler itself reads the header.</summary>
    public static bool HasBearer(HttpRequest request) => IsBearer(request.Headers.Authorization.ToString());

    /// <inheritdoc cref="HasBearer"/>
    public static bool IsBearer(string authorization) => authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    /// <summary>A page asked for by a browser, which is sent to sign in rather than answered 401.</summary>
    public static bool IsBrowserNavigation(HttpRequest request) =>
        HttpMethods.IsGet(request.Method)
        && !request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && request.Headers.Accept.Any(accept => accept?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>
    /// Whether this request can be given an antiforgery token: its cookie is
    /// Secure outside Development, so over plain HTTP a browser would never
    /// send it back (and ASP.NET Core refuses to issue it).
    /// </summary>
    public static bool CanHoldTokens(HttpRequest request, AntiforgeryOptions antiforgery) =>
        request.IsHttps || antiforgery.Cookie.SecurePolicy != CookieSecurePolicy.Always;

    /// <summary>The answer to a request for a session or sign-in page over plain HTTP outside Development.</summary>
    public static ProblemHttpResult HttpsRequired() =>
        Problem.Of(StatusCodes.Status400BadRequest, "https-required", "Sessions need HTTPS.",
            "Browser sessions and their antiforgery tokens work over HTTPS only. Behind a proxy that ends TLS, "
            + "set ASPNETCORE_FORWARDEDHEADERS_ENABLED=true so the silo knows the request came over HTTPS.");

    /// <summary>The sign-in page's address, coming back to <paramref name="returnUrl"/>.</summary>
    public static string SignInAddress(string returnUrl) => $"{SignInPath}?returnUrl={Uri.EscapeDataString(returnUrl)}";

    /// <summary>A session for a user and what they act as.</summary>
    public static ClaimsPrincipal Principal(string userId, IEnumerable<string> roles, IEnumerable<string> organizations, IEnumerable<Guid> events)
    {
        var claims = new List<Claim> { new("sub", userId) };
        claims.AddRange(roles.Select(role => new Claim("role", role)));
        claims.AddRange(organizations.Select(organization => new Claim(CallerClaims.Organization, organization)));
        claims.AddRange(events.Select(eventId => new Claim(CallerClaims.Event, eventId.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, "sub", "role"));
    }

    /// <summary>The session a validated token (or an OpenID Connect ID token) stands for; null when it names nobody.</summary>
    public static ClaimsPrincipal? From(ClaimsPrincipal token)
    {
        if (token.FindFirst("sub")?.Value is not { Length: > 0 })
        {
            return null;
        }

        return new ClaimsPrincipal(new ClaimsIdentity(Only(token.Claims, Kept), Scheme, "sub", "role"));
    }

    /// <summary>The claims of <paramref name="types"/>, copied apart from the token they came from.</summary>
    public static IEnumerable<Claim> Only(IEnumerable<Claim> claims, string[] types) =>
        claims.Where(claim => types.Contains(claim.Type, StringComparer.Ordinal)).Select(claim => new Claim(claim.Type, claim.Value));

    /// <summary>
    /// A session signed in from a token ends when the token does (within the
    /// usual lifetime) and does not slide: it must not outlive what proved it.
    /// </summary>
    public static AuthenticationProperties PropertiesFor(ClaimsPrincipal token, DateTimeOffset now)
    {
        var properties = new AuthenticationProperties { IsPersistent = true };
        if (token.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            var expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
            properties.ExpiresUtc = expires < now + Lifetime ? expires : now + Lifetime;
            properties.AllowRefresh = false;
        }

        return properties;
    }
}
