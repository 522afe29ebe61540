using Stripe;

namespace Ticketing.Grains.Payments;

/// <summary>
/// The Stripe calls the order saga makes, through Stripe.net. Every call that
/// creates something carries an idempotency key derived from the order, so a
/// retried step never charges or refunds twice.
/// </summary>
public sealed class StripePayments(StripeClient stripe)
{
    /// <summary>Creates the order's payment intent (again: the same one, by its idempotency key).</summary>
    public Task<PaymentIntent> CreatePaymentAsync(Guid orderId, long amountCents, string currency, CancellationToken cancellationToken) =>
        stripe.V1.PaymentIntents.CreateAsync(
            new PaymentIntentCreateOptions
            {
                Amount = amountCents,
                Currency = currency,
                Metadata = new Dictionary<string, string> { ["order_id"] = orderId.ToString() },
                Description = $"Tickets, order {orderId}",
            },
            new RequestOptions { IdempotencyKey = $"order-{orderId}-payment" },
            cancellationToken);

    public Task<PaymentIntent> GetPaymentAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        stripe.V1.PaymentIntents.GetAsync(paymentIntentId, cancellationToken: cancellationToken);

    /// <summary>The payment intent with its latest charge (for what was refunded).</summary>
    public Task<PaymentIntent> GetPaymentWithChargeAsync(string paymentIntentId, CancellationToken cancellationToken) =>
        stripe.V1.PaymentIntents.GetAsync(paymentIntentId, new PaymentIntentGetOptions { Expand = ["latest_charge"] }, cancellationToken: cancellationToken);

    /// <summary>
    /// Cancels a payment intent and answers it as it now stands: a payment that
    /// succeeded first cannot be cancelled, and comes back succeeded.
    /// </summary>
    public async Task<PaymentIntent> CancelPaymentAsync(string paymentIntentId, CancellationToken cancellationToken)
    {
        try
        {
            return await stripe.V1.PaymentIntents.CancelAsync(paymentIntentId, cancellationToken: cancellationToken);
        }
        catch (StripeException unexpected) when (unexpected.StripeError?.Code == "payment_intent_unexpected_state")
        {
            return await GetPaymentAsync(paymentIntentId, cancellationToken);
        }
    }

    /// <summary>Refunds <paramref name="amountCents"/> of the payment (all of what is left when null).</summary>
    public async Task<string> RefundAsync(
        string paymentIntentId, long? amountCents, string idempotencyKey, Dictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var refund = await stripe.V1.Refunds.CreateAsync(
            new RefundCreateOptions { PaymentIntent = paymentIntentId, Amount = amountCents, Metadata = metadata },
            new RequestOptions { IdempotencyKey = idempotencyKey },
            cancellationToken);
        return refund.Id;
    }

    /// <summary>Errors that mean Stripe was not reached or refused: the step can be tried again later.</summary>
    public static bool IsProviderFailure(Exception exception) =>
        exception is StripeException or HttpRequestException or TaskCanceledException;
}
