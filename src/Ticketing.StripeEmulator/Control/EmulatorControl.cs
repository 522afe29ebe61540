using Ticketing.StripeEmulator.Events;
using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Webhooks;

namespace Ticketing.StripeEmulator.Control;

/// <summary>
/// The emulator's test controls (not Stripe's), for tests that host it
/// in-process: <c>factory.Services.GetRequiredService&lt;EmulatorControl&gt;()</c>.
/// The same controls are served over HTTP under <c>/_emulator/</c>.
/// </summary>
public sealed class EmulatorControl(Ledger ledger, WebhookQueue webhooks, DeliveryLog deliveries)
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    public DeliverySettings Delivery => webhooks.Settings;

    public IReadOnlyList<DeliveryAttempt> Deliveries => deliveries.Attempts;

    /// <summary>Every event so far, oldest first.</summary>
    public IReadOnlyList<StripeEvent> Events => ledger.Events;

    public void ConfigureDelivery(DeliverySettings settings) => webhooks.Configure(settings);

    /// <summary>Releases held deliveries (newest first when reordering); returns how many.</summary>
    public int Flush() => webhooks.Flush();

    public StripeEvent Resend(string eventId)
    {
        var stripeEvent = ledger.GetEvent(eventId);
        webhooks.Resend(stripeEvent);
        return stripeEvent;
    }

    /// <summary>Confirms the payment intent with <c>pm_card_visa</c>, as a customer paying would.</summary>
    public PaymentIntent Succeed(string paymentIntentId) =>
        ledger.ConfirmPaymentIntent(paymentIntentId, TestCards.Visa, EventRequest.None);

    /// <summary>The cardholder disputes the payment intent's charge (<c>charge.dispute.created</c>).</summary>
    public Dispute OpenDispute(string paymentIntentId, string? reason = null) => ledger.OpenDispute(paymentIntentId, reason);

    /// <summary>The card network decides: <c>won</c> or <c>lost</c> (<c>charge.dispute.closed</c>).</summary>
    public Dispute CloseDispute(string disputeId, string status) => ledger.CloseDispute(disputeId, status);

    /// <summary>Waits until the delivery attempts so far satisfy <paramref name="condition"/> (10 s unless told).</summary>
    public Task<IReadOnlyList<DeliveryAttempt>> WaitForDeliveriesAsync(
        Func<IReadOnlyList<DeliveryAttempt>, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        deliveries.WaitForAsync(condition, timeout ?? DefaultWait, cancellationToken);

    /// <summary>
    /// Waits until no delivery is queued, in flight or waiting to be retried,
    /// so that <see cref="Deliveries"/> holds every attempt there will be
    /// (held deliveries aside): what was not sent by then is not being sent.
    /// </summary>
    public async Task WaitForIdleAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        while (!webhooks.IsIdle)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Webhook deliveries were still under way after {timeout ?? DefaultWait}; attempts so far: {deliveries.Attempts.Count}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Waits for a 2xx delivery of an event of <paramref name="eventType"/> about the object <paramref name="objectId"/>.</summary>
    public async Task<StripeEvent> WaitForDeliveredAsync(string eventType, string objectId, TimeSpan? timeout = null)
    {
        StripeEvent? delivered = null;
        await WaitForDeliveriesAsync(
            attempts =>
            {
                var eventIds = attempts.Where(a => a.Succeeded && a.EventType == eventType).Select(a => a.EventId).ToHashSet();
                delivered = ledger.Events.FirstOrDefault(e => eventIds.Contains(e.Id) && ObjectIdOf(e) == objectId);
                return delivered is not null;
            },
            timeout);
        return delivered!;
    }

    private static string? ObjectIdOf(StripeEvent stripeEvent) => stripeEvent.Data.Object switch
    {
        PaymentIntent intent => intent.Id,
        Charge charge => charge.Id,
        Refund refund => refund.Id,
        Dispute dispute => dispute.Id,
        _ => null,
    };
}
