using System.Globalization;
using System.Net;
using System.Text.Json;
using Stripe;

namespace Ticketing.Grains.Payments;

/// <summary>
/// The Stripe calls the order saga makes, through Stripe.net. Every call that
/// creates something carries an idempotency key derived from the order, so a
/// retried step never charges or refunds twice.
/// </summary>
public sealed class StripePayments(StripeClient stripe, PaymentsOrigin origin)
{
    /// <summary>
    /// Creates the order's payment intent (again: the same one, by its idempotency key).
    /// The form is written here rather than from <see cref="PaymentIntentCreateOptions"/>:
    /// Stripe.net's encoder reads every option property's attributes by reflection on each
    /// request, on the path of every order (docs/performance.md). Errors come back as
    /// <see cref="StripeException"/> all the same. Of the answer only what the order keeps
    /// is read, for the same reason.
    /// </summary>
    public async Task<CreatedPayment> CreatePaymentAsync(Guid orderId, long amountCents, string currency, CancellationToken cancellationToken)
    {
        var form = string.Join('&',
            Field("amount", amountCents.ToString(CultureInfo.InvariantCulture)),
            Field("currency", currency),
            Field("description", $"Tickets, order {orderId}"),
            Field("metadata[order_id]", orderId.ToString()),
            Field($"metadata[{PaymentsOrigin.MetadataKey}]", origin.ServiceId));
        var response = await stripe.RawRequestAsync(
            HttpMethod.Post,
            "/v1/payment_intents",
            form,
            new RawRequestOptions { IdempotencyKey = $"order-{orderId}-payment" },
            cancellationToken);
        return CreatedPayment.Read(response.Content);
    }

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

    private static string Field(string name, string value) => $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(value)}";

    /// <summary>
    /// Stripe refused the request as such (400, <c>invalid_request_error</c>: an amount
    /// below its minimum for the currency, a currency it does not take): the same request
    /// is refused again, so it is not worth a retry. An idempotency conflict is another
    /// type, and an outage or a rate limit another status.
    /// </summary>
    public static bool IsRefusal(Exception exception) =>
        exception is StripeException { HttpStatusCode: HttpStatusCode.BadRequest, StripeError.Type: "invalid_request_error" };

    /// <summary>
    /// Errors that mean Stripe was not reached, failed or refused: nothing was done there. Where
    /// a refusal must be told apart (it will be refused again), <see cref="IsRefusal"/> is asked first.
    /// </summary>
    public static bool IsProviderFailure(Exception exception) =>
        exception is StripeException or HttpRequestException or TaskCanceledException;
}

/// <summary>A payment intent just created, as the order keeps it: its id and the client secret the buyer pays with.</summary>
public sealed record CreatedPayment(string Id, string ClientSecret)
{
    /// <summary>Reads Stripe's answer; one without both is a provider failure (<see cref="StripeException"/>).</summary>
    public static CreatedPayment Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && root.TryGetProperty("client_secret", out var secret) && secret.ValueKind == JsonValueKind.String)
            {
                return new CreatedPayment(id.GetString()!, secret.GetString()!);
            }
        }
        catch (JsonException)
        {
        }

        // The answer is not quoted: it may carry a client secret, and this message is logged.
        throw new StripeException(HttpStatusCode.OK, null, "Stripe answered the payment intent's creation with no id or client secret.");
    }
}
