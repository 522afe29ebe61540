using Microsoft.AspNetCore.Http.Features;
using Ticketing.Api.Problems;

namespace Ticketing.Api.Limits;

/// <summary>
/// Refuses a body over its endpoint's limit with 413 before anything reads
/// it. A declared length is checked at once; a body sent without one
/// (chunked) is read into memory up to the limit, so no handler ever sees
/// more. Every JSON body of the API is a few hundred bytes.
/// </summary>
internal sealed class BodyLimits(RequestDelegate next)
{
    /// <summary>The limit of a JSON route.</summary>
    public const long Default = 16 * 1024;

    /// <summary>The largest any route takes (the Stripe webhook's): Kestrel refuses anything larger by itself.</summary>
    public const long Largest = 64 * 1024;

    // Not async unless a body must be read: a request waiting further down (a long-poll) then keeps no frame of this one alive.
    public Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Bytes ?? Default;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
        {
            server.MaxRequestBodySize = limit;
        }

        if (context.Request.ContentLength is { } declared)
        {
            return declared > limit ? TooLarge(context, limit) : next(context);
        }

        return context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true
            ? BufferThenInvokeAsync(context, limit)
            : next(context);
    }

    private async Task BufferThenInvokeAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        var buffered = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffered.Length + read > limit)
            {
                await TooLarge(context, limit);
                return;
            }

            buffered.Write(chunk, 0, read);
        }

        buffered.Position = 0;
        request.Body = buffered;
        request.ContentLength = buffered.Length;
        await next(context);
    }

    private static Task TooLarge(HttpContext context, long limit) =>
        Problem.Of(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Request body too large.",
            $"This route takes a body of at most {limit} bytes.").ExecuteAsync(context);
}
