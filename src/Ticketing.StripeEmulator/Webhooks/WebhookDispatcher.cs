using System.Net.Mime;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Ticketing.StripeEmulator.Hosting;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Webhooks;

/// <summary>
/// POSTs queued events to the webhook URL, signed like Stripe. Attempts start in
/// queue order, at most <see cref="EmulatorOptions.DeliveryConcurrency"/> at a
/// time (one by default, so reordering is observable); a failed one is retried
/// after its backoff delay without holding up the others.
/// </summary>
public sealed class WebhookDispatcher(
    WebhookQueue queue,
    DeliveryLog log,
    IHttpClientFactory httpClients,
    IOptions<EmulatorOptions> options,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>The <see cref="IHttpClientFactory"/> client deliveries use; tests swap its primary handler.</summary>
    public const string HttpClientName = "webhooks";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var concurrency = options.Value.DeliveryConcurrency;
        using var slots = new SemaphoreSlim(concurrency);
        try
        {
            await foreach (var delivery in queue.Ready.ReadAllAsync(stoppingToken))
            {
                await slots.WaitAsync(stoppingToken);
                _ = DeliverAsync(delivery, slots, stoppingToken);
            }
        }
        finally
        {
            // The attempts in flight are cancelled by the same token; let them end before their slots go away.
            for (var slot = 0; slot < concurrency; slot++)
            {
                await slots.WaitAsync(CancellationToken.None);
            }
        }
    }

    private async Task DeliverAsync(PendingDelivery delivery, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        var retrying = false;
        try
        {
            if (queue.Settings.DelayMs is > 0 and var delayMs)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delayMs), clock, stoppingToken);
            }

            var attempt = await AttemptAsync(delivery, stoppingToken);
            log.Record(attempt);
            var retryDelays = options.Value.EffectiveRetryDelays;
            if (!attempt.Succeeded && delivery.Attempt <= retryDelays.Count)
            {
                _ = RetryLaterAsync(delivery, retryDelays[delivery.Attempt - 1], stoppingToken);
                retrying = true;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The emulator is stopping: undelivered events die with it, as its state does.
        }
        finally
        {
            // A delivery to retry stays unsettled until it is queued again.
            if (!retrying)
            {
                queue.Settled();
            }

            slots.Release();
        }
    }

    private async Task<DeliveryAttempt> AttemptAsync(PendingDelivery delivery, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var payload = JsonSerializer.Serialize(delivery.Event, StripeJson.Options);
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.WebhookUrl)
        {
            Content = new StringContent(payload, Encoding.UTF8, MediaTypeNames.Application.Json),
        };
        request.Headers.Add("Stripe-Signature", WebhookSignature.Header(settings.WebhookSecret!, clock.GetUtcNow().ToUnixTimeSeconds(), payload));
        request.Headers.UserAgent.ParseAdd("Stripe/1.0 (+https://stripe.com/docs/webhooks)");

        int? statusCode = null;
        string? error = null;
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, stoppingToken);
            statusCode = (int)response.StatusCode;
        }
        catch (Exception failure) when (!stoppingToken.IsCancellationRequested)
        {
            error = failure.Message;
        }

        var attempt = new DeliveryAttempt(
            delivery.DeliveryId, delivery.Event.Id, delivery.Event.Type, delivery.Attempt, statusCode, error, clock.GetUtcNow());
        logger.LogInformation(
            "Webhook {EventType} {EventId} attempt {Attempt}: {Outcome}",
            attempt.EventType, attempt.EventId, attempt.Attempt, statusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? error);
        return attempt;
    }

    private async Task RetryLaterAsync(PendingDelivery delivery, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, clock, stoppingToken);
            queue.Retry(delivery);
        }
        catch (OperationCanceledException)
        {
            // The emulator is stopping: pending retries die with it, as its state does.
        }
        finally
        {
            queue.Settled();
        }
    }
}
