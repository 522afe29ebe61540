using System.Net.Mime;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>A Stripe response: a status and a JSON body, kept whole so an idempotent replay is byte for byte the same.</summary>
public sealed record StripeResult(int StatusCode, string Json) : IResult
{
    /// <summary>Whether Stripe would keep this answer for the request's idempotency key.</summary>
    public bool Replayable { get; init; } = true;

    /// <summary>Set on a replay: the request whose answer this is.</summary>
    public string? OriginalRequest { get; init; }

    public static StripeResult Ok(object value) => new(StatusCodes.Status200OK, StripeJson.Serialize(value));

    public static StripeResult Error(StripeApiException exception) =>
        new(exception.StatusCode, StripeJson.Serialize(new { error = exception.Error }))
        {
            Replayable = !exception.IsParameterError,
        };

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = MediaTypeNames.Application.Json;
        if (OriginalRequest is not null)
        {
            response.Headers["Idempotent-Replayed"] = "true";
            response.Headers["Original-Request"] = OriginalRequest;
        }

        await response.WriteAsync(Json, httpContext.RequestAborted);
    }
}
