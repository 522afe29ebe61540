namespace Ticketing.StripeEmulator.Wire;

/// <summary>Runs a POST that carries an <c>Idempotency-Key</c> at most once per key.</summary>
internal sealed class IdempotencyFilter(IdempotentRequests requests) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsPost(http.Request.Method)
            || ApiRequest.IdempotencyKeyOf(http.Request) is not { } key
            || http.Items[StripeKeyFilter.ApiKeyItem] is not string apiKey)
        {
            return await next(context);
        }

        var parameters = context.Arguments.OfType<ApiRequest>().FirstOrDefault()?.Parameters ?? FormParameters.Empty;
        var fingerprint = $"{http.Request.Method} {http.Request.Path}?{parameters.Fingerprint}";
        if (requests.Claim(apiKey, key, fingerprint, ApiRequest.IdOf(http)) is { } answer)
        {
            return answer;
        }

        object? result = null;
        try
        {
            result = await next(context);
            return result;
        }
        finally
        {
            requests.Complete(apiKey, key, result as StripeResult);
        }
    }
}
