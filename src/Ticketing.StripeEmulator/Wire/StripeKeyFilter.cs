using System.Text;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>
/// Stripe's authentication: any secret key (<c>sk_...</c>) as a bearer token, or
/// as the user name of basic auth (<c>curl -u sk_test_...:</c>). Also stamps the
/// <c>Request-Id</c> header every Stripe response carries.
/// </summary>
internal sealed class StripeKeyFilter : IEndpointFilter
{
    public const string ApiKeyItem = "Stripe.ApiKey";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        http.Response.Headers["Request-Id"] = ApiRequest.IdOf(http);

        var key = KeyOf(http.Request.Headers.Authorization.ToString());
        if (key is null)
        {
            return StripeResult.Error(StripeApiException.Unauthorized(
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                + "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."));
        }

        if (!key.StartsWith("sk_", StringComparison.Ordinal))
        {
            return StripeResult.Error(StripeApiException.Unauthorized($"Invalid API Key provided: {Masked(key)}"));
        }

        http.Items[ApiKeyItem] = key;
        return await next(context);
    }

    private static string? KeyOf(string authorization)
    {
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } key ? key : null;
        }

        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var user = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim())).Split(':')[0];
                return user.Length > 0 ? user : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        return null;
    }

    private static string Masked(string key) => key.Length <= 8 ? "****" : $"{key[..Math.Min(8, key.Length - 4)]}****{key[^4..]}";
}
