using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using Ticketing.Api.Problems;

namespace Ticketing.Api.Auth;

/// <summary>
/// A browser sends the session cookie with any request to this site, also one
/// another site's page makes it send; only our own pages know the antiforgery
/// token. So every state-changing request the cookie signed in, and every
/// sign-in form, must carry it (<see cref="Sessions.AntiforgeryHeader"/>, or a
/// form's hidden field), or it is refused before anything is read or done. A
/// request with a bearer token proves itself and needs none, and neither does a
/// route that opts out with <c>DisableAntiforgery()</c> (Stripe's webhook).
/// </summary>
internal sealed class SessionAntiforgery(RequestDelegate next, IAntiforgery antiforgery, IOptions<AntiforgeryOptions> options)
{
    // Not async when nothing is checked: a request waiting further down (a long-poll) then keeps no frame of this one alive.
    public Task InvokeAsync(HttpContext context) => NeedsToken(context) ? CheckThenInvokeAsync(context) : next(context);

    private async Task CheckThenInvokeAsync(HttpContext context)
    {
        // Over plain HTTP outside Development the token's cookie half never arrives: no token can be valid.
        if (!Sessions.CanHoldTokens(context.Request, options.Value) || !await antiforgery.IsRequestValidAsync(context))
        {
            await Problem.Of(StatusCodes.Status400BadRequest, "antiforgery", "Antiforgery token missing or invalid.",
                $"A request signed in by the session cookie, or a sign-in form, must send the antiforgery token (for a page, the {Sessions.AntiforgeryHeader} header "
                + "with the token GET /auth/session gives), over HTTPS outside Development; nothing was done.").ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    private static bool NeedsToken(HttpContext context)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method)
            || Sessions.HasBearer(context.Request))
        {
            return false;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IAntiforgeryMetadata>() is { RequiresValidation: false })
        {
            return false;
        }

        return context.User.Identity?.IsAuthenticated == true || endpoint?.Metadata.GetMetadata<SignInForm>() is not null;
    }
}

/// <summary>Marks a route that takes a sign-in form: its antiforgery token is checked before anyone is signed in.</summary>
internal sealed class SignInForm
{
    public static readonly SignInForm Instance = new();
}
