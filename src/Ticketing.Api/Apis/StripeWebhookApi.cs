using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stripe;
using Ticketing.Api.Limits;
using Ticketing.Api.Payments;
using Ticketing.Api.Problems;
using Ticketing.Grains.Failures;
using Ticketing.Grains.Payments;

namespace Ticketing.Api.Apis;

internal static class StripeWebhookApi
{
    /// <summary>Stripe's recommended tolerance between the signature's time and ours.</summary>
    private const long ToleranceSeconds = 300;

    public static void MapStripeWebhook(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/webhooks/stripe", Receive).WithTags("Webhooks").AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new BodyLimit(BodyLimits.Largest)) // Stripe's events are a few KiB
            .MayAnswer(StatusCodes.Status400BadRequest, "`invalid-signature` or `invalid-event`: the Stripe-Signature is missing or wrong, or the body is not a Stripe event; nothing was stored.")
            .MayAnswer(StatusCodes.Status500InternalServerError, "`webhook-processing-failed`: processing failed; the event is kept and retried.");

    /// <summary>Receive a Stripe event</summary>
    /// <remarks>
    /// Verifies the signature over the raw body, then stores and processes the
    /// event. 200 when processed now or before; 400 for a bad signature
    /// (nothing stored); 503 with Retry-After when a dependency was briefly
    /// away, 500 when processing failed otherwise: Stripe retries both.
    /// </remarks>
    public static async Task<Results<Ok, ProblemHttpResult>> Receive(
        HttpRequest request, IOptions<StripeOptions> options, PaymentInbox inbox, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (request.Headers["Stripe-Signature"] is not [{ Length: > 0 } signature])
        {
            return Problem.Of(StatusCodes.Status400BadRequest, "invalid-signature", "Invalid Stripe signature.", "The Stripe-Signature header is missing.");
        }

        using var reader = new StreamReader(request.Body);
        var payload = await reader.ReadToEndAsync(cancellationToken);
        try
        {
            EventUtility.ValidateSignature(payload, signature, options.Value.WebhookSecret, ToleranceSeconds);
        }
        catch (StripeException invalid)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, "invalid-signature", "Invalid Stripe signature.", invalid.Message);
        }

        WebhookEvent stripeEvent;
        try
        {
            stripeEvent = WebhookEvent.Parse(payload);
        }
        catch (FormatException invalid)
        {
            return Problem.Of(StatusCodes.Status400BadRequest, "invalid-event", "Not a Stripe event.", invalid.Message);
        }

        try
        {
            await inbox.ReceiveAsync(stripeEvent, payload, cancellationToken);
            return TypedResults.Ok();
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Kept in the inbox as failed (when the inbox could be reached):
            // Stripe's retry and the recovery sweep take it up again.
            var logger = loggers.CreateLogger(typeof(StripeWebhookApi).FullName!);
            if (TransientFailure.Is(failure))
            {
                logger.LogWarning(failure, "Stripe event {EventId} ({Type}) answered 503: a dependency is unavailable; Stripe retries", stripeEvent.Id, stripeEvent.Type);
                request.HttpContext.Response.Headers.RetryAfter = Problem.RetryAfterSeconds;
                return Problem.Unavailable($"Event {stripeEvent.Id} could not be processed now; it will be retried.");
            }

            logger.LogError(failure, "Stripe event {EventId} ({Type}) answered 500: processing failed", stripeEvent.Id, stripeEvent.Type);
            return Problem.Of(StatusCodes.Status500InternalServerError, "webhook-processing-failed", "Processing failed.", $"Event {stripeEvent.Id} will be retried.");
        }
    }
}
