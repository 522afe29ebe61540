using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;

namespace Ticketing.Api.Apis;

/// <summary>
/// Browser sign-in beside bearer tokens: the sign-in page, a session cookie
/// from a token, an OpenID Connect authority or (in Development) anyone, the
/// session's identity and antiforgery token for pages, and sign-out. For
/// browsers, so left out of the API reference; every route is limited as
/// the catalogue is (per address, or per user once signed in).
/// </summary>
internal static class SessionsApi
{
    private const int MaxNameLength = 200;

    public static void MapSessionsApi(this WebApplication app)
    {
        app.MapGet(Sessions.SignInPath, ShowSignInPage).AllowAnonymous().ExcludeFromDescription().RequireRateLimiting(RateLimits.Anonymous);

        var auth = app.MapGroup("/auth").ExcludeFromDescription().RequireRateLimiting(RateLimits.Anonymous);
        auth.MapGet("/session", GetSession).RequireAuthorization();
        auth.MapPost("/session", StartSession).AllowAnonymous().WithMetadata(SignInForm.Instance);
        // As a Delegate: taking only the HttpContext, it would otherwise be a RequestDelegate whose answer is dropped.
        auth.MapPost("/signout", (Delegate)SignOut).RequireAuthorization();
        auth.MapGet("/signin/oidc", SignInWithOpenIdConnect).AllowAnonymous();
        // Anyone may be anyone here: the route exists only in Development.
        if (app.Environment.IsDevelopment())
        {
            auth.MapPost("/signin/development", SignInForDevelopment).AllowAnonymous().WithMetadata(SignInForm.Instance);
        }
    }

    /// <summary>The sign-in page; <paramref name="failed"/> says an OpenID Connect sign-in did not complete.</summary>
    public static IResult ShowSignInPage(
        HttpContext context, string? returnUrl, string? failed, AuthOptions options, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions, IWebHostEnvironment environment)
    {
        if (ReturnUrl.Local(returnUrl) is not { } local)
        {
            return Problem.Validation("returnUrl", ReturnUrl.Rule);
        }

        if (!Sessions.CanHoldTokens(context.Request, antiforgeryOptions.Value))
        {
            return Sessions.HttpsRequired();
        }

        var page = Page(context, local, antiforgery, options, environment);
        return failed is null
            ? page.Answer(context)
            : (page with { Errors = ["Signing in with your organization's account did not complete. Try again."] }).Answer(context);
    }

    /// <summary>Who the caller is, for a page: the same identity whether a cookie or a bearer token signed it in.</summary>
    public static IResult GetSession(HttpContext context, ClaimsPrincipal user, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions)
    {
        if (!Sessions.CanHoldTokens(context.Request, antiforgeryOptions.Value))
        {
            return Sessions.HttpsRequired();
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new SessionResponse(
            user.UserId(),
            [.. user.FindAll("role").Select(claim => claim.Value).Distinct(StringComparer.Ordinal)],
            user.Organizations(),
            [.. user.FindAll(CallerClaims.Event).Select(claim => Guid.TryParse(claim.Value, out var id) ? id : (Guid?)null).OfType<Guid>().Distinct()],
            antiforgery.GetAndStoreTokens(context).RequestToken!));
    }

    /// <summary>
    /// A session from a token: sent as <c>Authorization: Bearer</c> (204), or
    /// pasted into the sign-in page's form (back to its returnUrl). The token
    /// is checked exactly as a bearer token on any API call is.
    /// </summary>
    public static async Task<IResult> StartSession(
        HttpContext context, AuthOptions options, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> antiforgeryOptions, IWebHostEnvironment environment,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Sessions.HasBearer(context.Request))
        {
            // Authentication already ran the bearer handler; a refused token gets its 401 from the same handler.
            if (Sessions.From(context.User) is not { } session)
            {
                return Results.Challenge();
            }

            // A Secure cookie set over plain HTTP would never come back: no session to report made.
            if (!Sessions.CanHoldTokens(context.Request, antiforgeryOptions.Value))
            {
                return Sessions.HttpsRequired();
            }

            await context.SignInAsync(Sessions.Scheme, session, Sessions.PropertiesFor(context.User, clock.GetUtcNow()));
            return Results.NoContent();
        }

        if (!context.Request.HasFormContentType)
        {
            return UnsupportedMediaType();
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        if (ReturnUrl.Local(form["returnUrl"]) is not { } returnUrl)
        {
            return Problem.Validation("returnUrl", ReturnUrl.Rule);
        }

        context.Request.Headers.Authorization = $"Bearer {form["token"].ToString().Trim()}";
        var token = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!token.Succeeded || Sessions.From(token.Principal) is not { } pasted)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return (Page(context, returnUrl, antiforgery, options, environment) with { Errors = ["That token is not valid here (expired, or not issued for this service)."] })
                .Answer(context, StatusCodes.Status401Unauthorized);
        }

        await context.SignInAsync(Sessions.Scheme, pasted, Sessions.PropertiesFor(token.Principal, clock.GetUtcNow()));
        return Results.LocalRedirect(returnUrl);
    }

    /// <summary>Ends the browser's session (the cookie is cleared); a bearer token stays valid until it expires.</summary>
    public static async Task<IResult> SignOut(HttpContext context)
    {
        await context.SignOutAsync(Sessions.Scheme);
        return Results.NoContent();
    }

    /// <summary>Sends the browser to the OpenID Connect authority, coming back to <paramref name="returnUrl"/> once signed in.</summary>
    public static IResult SignInWithOpenIdConnect(HttpContext context, string? returnUrl, AuthOptions options, IOptions<AntiforgeryOptions> antiforgeryOptions)
    {
        if (!options.SignsInWithOpenIdConnect)
        {
            return Problem.NotFound("Sign-in through an OpenID Connect authority is not configured on this service.");
        }

        if (!Sessions.CanHoldTokens(context.Request, antiforgeryOptions.Value))
        {
            return Sessions.HttpsRequired();
        }

        return ReturnUrl.Local(returnUrl) is { } local
            ? Results.Challenge(new AuthenticationProperties { RedirectUri = local }, [Sessions.OpenIdConnectScheme])
            : Problem.Validation("returnUrl", ReturnUrl.Rule);
    }

    /// <summary>Development only: a session for any user id, roles, organizations and events.</summary>
    public static async Task<IResult> SignInForDevelopment(
        HttpContext context, AuthOptions options, IAntiforgery antiforgery, IWebHostEnvironment environment, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return UnsupportedMediaType();
        }

        var form = await context.Request.ReadFormAsync(cancellationToken);
        if (ReturnUrl.Local(form["returnUrl"]) is not { } returnUrl)
        {
            return Problem.Validation("returnUrl", ReturnUrl.Rule);
        }

        var userId = form["userId"].ToString().Trim();
        var roles = form["role"].OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var organizations = List(form["organizations"]);
        var events = List(form["events"]);
        var errors = new List<string>();
        if (!Text.IsCleanText(userId, MaxNameLength))
        {
            errors.Add($"A user id is 1 to {MaxNameLength} characters, without control characters.");
        }

        if (roles.Count == 0 || roles.Except(Roles.All).Any())
        {
            errors.Add($"Choose one or more roles of {string.Join(", ", Roles.All)}.");
        }

        if (organizations.Any(organization => !Text.IsClean(organization, MaxNameLength)))
        {
            errors.Add($"An organization is at most {MaxNameLength} characters, without control characters.");
        }

        var eventIds = events.Select(text => Guid.TryParse(text, out var id) ? id : (Guid?)null).ToList();
        if (eventIds.Contains(null))
        {
            errors.Add("Events are event ids (UUIDs), separated by commas.");
        }

        if (errors.Count > 0)
        {
            return (Page(context, returnUrl, antiforgery, options, environment) with { Errors = errors })
                .Answer(context, StatusCodes.Status422UnprocessableEntity);
        }

        await context.SignInAsync(Sessions.Scheme, Sessions.Principal(userId, roles, organizations, eventIds.OfType<Guid>()),
            new AuthenticationProperties { IsPersistent = true });
        return Results.LocalRedirect(returnUrl);
    }

    private static SignInPage Page(HttpContext context, string returnUrl, IAntiforgery antiforgery, AuthOptions options, IWebHostEnvironment environment) =>
        new(returnUrl, antiforgery.GetAndStoreTokens(context).RequestToken!)
        {
            Development = environment.IsDevelopment(),
            Authority = options.SignsInWithOpenIdConnect ? options.Authority : null,
            SignedInAs = context.User.Identity?.IsAuthenticated == true ? context.User.UserId() : null,
            SharedStylesheet = environment.WebRootFileProvider.GetFileInfo("app/common.css").Exists,
        };

    /// <summary>"a, b c" as [a, b, c]: commas or spaces between the items.</summary>
    private static List<string> List(StringValues values) =>
        [.. values.SelectMany(value => (value ?? "").Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Distinct(StringComparer.Ordinal)];

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult UnsupportedMediaType() =>
        Problem.Of(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Not a form.",
            "Send the sign-in form as application/x-www-form-urlencoded, or a bearer token in the Authorization header.");
}

/// <summary>The signed-in caller, as a page needs it.</summary>
internal sealed record SessionResponse(string UserId, IReadOnlyList<string> Roles, IReadOnlyList<string> Organizations, IReadOnlyList<Guid> Events, string AntiforgeryToken);
