using Microsoft.Extensions.Logging;
using Stripe;
using Ticketing.Abstractions.Orders;
using Ticketing.Persistence.Orders;
using Ticketing.Persistence.Payments;

namespace Ticketing.Grains.Payments;

/// <summary>
/// Takes verified Stripe events: stores each in the inbox before acting, hands
/// it to its order, and records the outcome. A repeated event id is a no-op;
/// one that failed stays in the inbox for the recovery sweep (and Stripe's own
/// retry).
/// </summary>
public sealed class PaymentInbox(StripeEventStore inbox, OrderRepository orders, IGrainFactory grains, Orders.OrderMetrics metrics, ILogger<PaymentInbox> logger)
{
    /// <summary>The events an order acts on (API.md, "Stripe webhook").</summary>
    private static readonly HashSet<string> Handled = new(StringComparer.Ordinal)
    {
        EventTypes.PaymentIntentSucceeded,
        EventTypes.PaymentIntentPaymentFailed,
        EventTypes.PaymentIntentCanceled,
        EventTypes.ChargeRefunded,
        EventTypes.ChargeDisputeCreated,
        EventTypes.ChargeDisputeClosed,
    };

    /// <summary>Stores and processes an event; answers false when it had been processed before. Throws when processing failed.</summary>
    public async Task<bool> ReceiveAsync(WebhookEvent stripeEvent, string payload, CancellationToken cancellationToken)
    {
        if (!Handled.Contains(stripeEvent.Type))
        {
            // Nothing will act on it (payment_intent.created, charge.succeeded...): no need to keep it.
            Count(stripeEvent, "ignored");
            return false;
        }

        if (await inbox.ReceiveAsync(stripeEvent.Id, stripeEvent.Type, payload, cancellationToken) == InboxStatus.Processed)
        {
            Count(stripeEvent, "duplicate");
            return false;
        }

        // Pending or failed: act (again). Every step behind is idempotent, so a
        // concurrent delivery of the same event acting too does no harm.
        await ProcessAsync(stripeEvent, cancellationToken);
        return true;
    }

    /// <summary>Retries one stored event.</summary>
    public Task RetryAsync(InboxEvent stored, CancellationToken cancellationToken) =>
        ProcessAsync(WebhookEvent.Parse(stored.Payload), cancellationToken);

    private async Task ProcessAsync(WebhookEvent stripeEvent, CancellationToken cancellationToken)
    {
        try
        {
            if (await TranslateAsync(stripeEvent, cancellationToken) is { } fact)
            {
                await grains.Reference<IOrderGrain>(fact.OrderId).Apply(fact.Event);
                Count(stripeEvent, "processed");
            }
            else
            {
                logger.LogInformation("Stripe event {EventId} ({Type}) concerns no order; kept and ignored", stripeEvent.Id, stripeEvent.Type);
                Count(stripeEvent, "ignored");
            }

            await inbox.MarkProcessedAsync(stripeEvent.Id, cancellationToken);
        }
        catch (Exception failure)
        {
            Count(stripeEvent, "failed");
            logger.LogError(failure, "Stripe event {EventId} ({Type}) failed; it will be retried", stripeEvent.Id, stripeEvent.Type);
            await inbox.MarkFailedAsync(stripeEvent.Id, failure.Message, CancellationToken.None);
            throw;
        }
    }

    private void Count(WebhookEvent stripeEvent, string outcome) =>
        metrics.WebhookEvents.Add(1, new KeyValuePair<string, object?>("type", stripeEvent.Type), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>The order an event is about, and what it says; null for events this product does not act on.</summary>
    private async Task<(Guid OrderId, PaymentEvent Event)?> TranslateAsync(WebhookEvent e, CancellationToken cancellationToken)
    {
        var o = e.Subject;
        PaymentEvent? fact = (e.Type, o.Kind) switch
        {
            _ when o.Id is null || o.Currency is null => null,
            (EventTypes.PaymentIntentSucceeded, "payment_intent") =>
                new(e.Id, PaymentEventKind.Succeeded, o.Id, o.AmountReceived, o.Currency, o.LatestChargeId),
            (EventTypes.PaymentIntentPaymentFailed, "payment_intent") =>
                new(e.Id, PaymentEventKind.Failed, o.Id, o.Amount, o.Currency, Detail: o.FailureMessage),
            (EventTypes.PaymentIntentCanceled, "payment_intent") =>
                new(e.Id, PaymentEventKind.Canceled, o.Id, o.Amount, o.Currency),
            (EventTypes.ChargeRefunded, "charge") when o.PaymentIntentId is not null =>
                new(e.Id, PaymentEventKind.Refunded, o.PaymentIntentId, o.Amount, o.Currency, o.Id, o.AmountRefunded),
            (EventTypes.ChargeDisputeCreated, "dispute") when o.PaymentIntentId is not null =>
                new(e.Id, PaymentEventKind.DisputeOpened, o.PaymentIntentId, o.Amount, o.Currency, o.ChargeId),
            // An inquiry that closes without a chargeback ("warning_closed") leaves the money where it is, as a win does.
            (EventTypes.ChargeDisputeClosed, "dispute") when o.PaymentIntentId is not null && o.Status is "won" or "warning_closed" =>
                new(e.Id, PaymentEventKind.DisputeWon, o.PaymentIntentId, o.Amount, o.Currency, o.ChargeId),
            (EventTypes.ChargeDisputeClosed, "dispute") when o.PaymentIntentId is not null && o.Status is "lost" =>
                new(e.Id, PaymentEventKind.DisputeLost, o.PaymentIntentId, o.Amount, o.Currency, o.ChargeId),
            _ => null,
        };
        if (fact is null)
        {
            return null;
        }

        // The order is named on the payment intent; charges and disputes are found by their payment intent.
        var named = o.Kind == "payment_intent" ? o.OrderId : null;
        var orderId = Guid.TryParse(named, out var id) ? id : await orders.FindByPaymentIntentAsync(fact.PaymentIntentId, cancellationToken);
        return orderId is { } found ? (found, fact) : null;
    }
}
