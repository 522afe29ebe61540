namespace Ticketing.StripeEmulator.Wire;

/// <summary>Answers a refused request in Stripe's error shape; anything unexpected is Stripe's 500 <c>api_error</c>.</summary>
internal sealed class StripeErrorFilter(ILogger<StripeErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (StripeApiException refused)
        {
            return StripeResult.Error(refused);
        }
        catch (Exception failure) when (!context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(failure, "Emulator failed on {Method} {Path}", context.HttpContext.Request.Method, context.HttpContext.Request.Path);
            var error = new StripeError { Type = StripeError.ApiError, Message = $"The emulator failed: {failure.Message}" };
            return StripeResult.Error(new StripeApiException(StatusCodes.Status500InternalServerError, error, isParameterError: true));
        }
    }
}
