using System.Security.Cryptography;
using System.Text;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Persistence.Idempotency;

namespace Ticketing.Api.Idempotency;

/// <summary>
/// Any authenticated POST to a mapped route may carry <c>Idempotency-Key</c>: the first response
/// to a (user, key) is remembered and replayed for a repeat of the same
/// request; the same key with another request is a 422, and a repeat while
/// the first is still running is a 409. Failures (5xx) are not remembered, so
/// a retry runs again.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, IdempotencyStore store, ILogger<IdempotencyMiddleware> logger)
{
    public const string Header = "Idempotency-Key";
    private const int MaxKeyLength = 255;

    // Not async without a key: a request waiting further down (a long-poll) then keeps no frame of this one alive.
    public Task InvokeAsync(HttpContext context) =>
        // Only a POST the app maps: a key sent to any other path would be stored for nothing.
        HttpMethods.IsPost(context.Request.Method)
        && context.Request.Headers.TryGetValue(Header, out var values)
        && context.User.Identity?.IsAuthenticated == true
        && context.GetEndpoint()?.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true
            ? InvokeOnceAsync(context, values.ToString())
            : next(context);

    private async Task InvokeOnceAsync(HttpContext context, string key)
    {
        if (key.Length == 0 || !Text.IsClean(key, MaxKeyLength))
        {
            await Problem.Validation(Header, $"{Header} must be 1 to {MaxKeyLength} characters, without control characters.").ExecuteAsync(context);
            return;
        }

        var userId = context.User.UserId();
        var hash = await RequestHash(context.Request);
        switch (await store.ClaimAsync(userId, key, hash, context.RequestAborted))
        {
            case IdempotencyClaim.Replay replay:
                await Replay(context, replay.Response);
                return;
            case IdempotencyClaim.Mismatch:
                await Problem.Of(StatusCodes.Status422UnprocessableEntity, "idempotency-mismatch", "Idempotency-Key reused.",
                    $"The key '{key}' was used for a different request.").ExecuteAsync(context);
                return;
            case IdempotencyClaim.InProgress:
                context.Response.Headers.RetryAfter = "1";
                await Problem.Conflict("idempotency-in-progress", "Request in progress.",
                    $"A request with the key '{key}' is still being processed; retry shortly.").ExecuteAsync(context);
                return;
        }

        await RunAndRemember(context, userId, key);
    }

    private async Task RunAndRemember(HttpContext context, string userId, string key)
    {
        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        var remembered = false;
        try
        {
            await next(context);
            if (context.Response.StatusCode < 500)
            {
                var response = new StoredResponse(
                    context.Response.StatusCode,
                    context.Response.ContentType,
                    context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null,
                    captured.ToArray());
                await store.CompleteAsync(userId, key, response, CancellationToken.None);
                remembered = true;
            }
        }
        finally
        {
            context.Response.Body = original;
            if (!remembered)
            {
                await Forget(userId, key);
            }

            captured.Position = 0;
            await captured.CopyToAsync(original, CancellationToken.None);
        }
    }

    private async Task Forget(string userId, string key)
    {
        try
        {
            await store.ForgetAsync(userId, key, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // The claim lapses by itself after a minute.
            logger.LogWarning(exception, "Could not forget idempotency key {Key} of {UserId}", key, userId);
        }
    }

    private static async Task Replay(HttpContext context, StoredResponse response)
    {
        context.Response.StatusCode = response.StatusCode;
        context.Response.ContentType = response.ContentType;
        if (response.Location is not null)
        {
            context.Response.Headers.Location = response.Location;
        }

        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.Body.WriteAsync(response.Body);
    }

    private static async Task<byte[]> RequestHash(HttpRequest request)
    {
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        var head = Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n");
        return SHA256.HashData([.. head, .. body.ToArray()]);
    }
}
