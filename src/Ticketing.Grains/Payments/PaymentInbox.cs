using Microsoft.Extensions.Logging;
using Stripe;
using Ticketing.Abstractions.Orders;
using Ticketing.Grains.Failures;
using Ticketing.Persistence.Orders;
using Ticketing.Persistence.Payments;

namespace Ticketing.Grains.Payments;

/// <summary>
/// Takes verified Stripe events: stores each in the inbox, hands it to its
/// order, and records the outcome. Events are stored before they are acted on,
/// except a payment's success, which its order records once whatever the inbox
/// says: it is acted on while it is stored. A repeated event id changes
/// nothing (a repeated success reaches its order, which finds itself paid);
/// one that failed stays in the inbox for the recovery sweep (and Stripe's own
/// retry).
/// </summary>
public sealed class PaymentInbox(StripeEventStore inbox, OrderRepository orders, IGrainFactory grains, Orders.OrderMetrics metrics, ILogger<PaymentInbox> logger)
{
    /// <summary>The events an order acts on (docs/api.md, "Stripe webhook").</summary>
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

        if (stripeEvent.Type == EventTypes.PaymentIntentSucceeded)
        {
            return await ReceivePaymentAsync(stripeEvent, payload, cancellationToken);
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

    /// <summary>
    /// A payment's success is a fact its order records once: a repeat finds the
    /// order already paid (and goes on with an issuance left half-way). So the
    /// order acts on it while the inbox stores it, rather than after: the
    /// buyer waits for one durable write fewer. The event is marked processed
    /// only once both are done; if either fails the answer is a failure, and
    /// Stripe's retry or the recovery sweep comes back to it.
    /// </summary>
    private async Task<bool> ReceivePaymentAsync(WebhookEvent stripeEvent, string payload, CancellationToken cancellationToken)
    {
        var stored = inbox.ReceiveAsync(stripeEvent.Id, stripeEvent.Type, payload, cancellationToken);
        var acted = ActAsync(stripeEvent, cancellationToken);
        InboxStatus status;
        try
        {
            status = await stored;
        }
        catch
        {
            // Not stored, so nothing to mark: the answer is a failure, and Stripe delivers again.
            await Settled(stripeEvent, acted);
            throw;
        }

        if (status == InboxStatus.Processed)
        {
            await Settled(stripeEvent, acted);
            Count(stripeEvent, "duplicate");
            return false;
        }

        await RecordAsync(stripeEvent, acted);
        return true;
    }

    /// <summary>Waits for an act whose outcome no longer decides the answer: the event was processed before, or could not be stored.</summary>
    private async Task Settled(WebhookEvent stripeEvent, Task acted)
    {
        try
        {
            await acted;
        }
        catch (Exception failure)
        {
            logger.LogWarning(failure, "Stripe event {EventId} ({Type}): the order could not act on it; the inbox's answer stands", stripeEvent.Id, stripeEvent.Type);
        }
    }

    private Task ProcessAsync(WebhookEvent stripeEvent, CancellationToken cancellationToken) =>
        RecordAsync(stripeEvent, ActAsync(stripeEvent, cancellationToken));

    /// <summary>Hands the event to its order; answers the outcome to count.</summary>
    private async Task<string> ActAsync(WebhookEvent stripeEvent, CancellationToken cancellationToken)
    {
        if (await TranslateAsync(stripeEvent, cancellationToken) is not { } fact)
        {
            logger.LogInformation("Stripe event {EventId} ({Type}) concerns no order; kept and ignored", stripeEvent.Id, stripeEvent.Type);
            return "ignored";
        }

        await grains.Reference<IOrderGrain>(fact.OrderId).Apply(fact.Event);
        return "processed";
    }

    /// <summary>Marks the stored event processed once the order has acted, or failed (for the sweep) when it could not.</summary>
    private async Task RecordAsync(WebhookEvent stripeEvent, Task<string> acted)
    {
        try
        {
            Count(stripeEvent, await acted);
            await inbox.MarkProcessedAsync(stripeEvent.Id, CancellationToken.None);
        }
        catch (Exception failure)
        {
            Count(stripeEvent, "failed");
            // A dependency that blinked is no bug: the retry will go through.
            logger.Log(TransientFailure.Is(failure) ? LogLevel.Warning : LogLevel.Error, failure,
                "Stripe event {EventId} ({Type}) failed; it will be retried", stripeEvent.Id, stripeEvent.Type);
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
                new(e.Id, PaymentEventKind.Succeeded, o.Id, o.AmountReceived, o.Currency, o.LatestChargeId, Origin: o.Origin),
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
