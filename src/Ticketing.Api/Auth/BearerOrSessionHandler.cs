using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Ticketing.Api.Auth;

/// <summary>
/// The default scheme: a request with <c>Authorization: Bearer</c> is the
/// token's caller, any other the session cookie's. A buyer in an on-sale sends
/// the same token many times a second, and the JWT handler checking it each
/// time (its signature and claims, a copy of its validation parameters, its
/// events) was the largest share of what a request allocated in the silo; a
/// token it accepted is remembered (<see cref="ValidatedTokens"/>) and answered
/// here without it. Challenges and refusals go to the scheme that would have
/// authenticated the request.
/// </summary>
internal sealed class BearerOrSessionHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ValidatedTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var authorization = Request.Headers.Authorization.ToString();
        if (!Sessions.IsBearer(authorization))
        {
            return await Context.AuthenticateAsync(Sessions.Scheme);
        }

        if (tokens.Find(authorization) is { } remembered)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(remembered, JwtBearerDefaults.AuthenticationScheme));
        }

        var result = await Context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (result is { Succeeded: true, Properties.ExpiresUtc: { } expires })
        {
            tokens.Remember(authorization, result.Principal, expires);
        }

        return result;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Context.ChallengeAsync(SchemeFor(Request), properties);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Context.ForbidAsync(SchemeFor(Request), properties);

    private static string SchemeFor(HttpRequest request) =>
        Sessions.HasBearer(request) ? JwtBearerDefaults.AuthenticationScheme : Sessions.Scheme;
}
