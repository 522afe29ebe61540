using System.Text.Json;

namespace Ticketing.Grains.Payments;

/// <summary>
/// A Stripe event as this product reads it: its id, its type, and the fields of
/// its object that an order acts on. Read straight from the JSON: Stripe.net
/// deserialises every field of the object through converters built by
/// reflection, a cost on every payment (docs/performance.md). The signature is
/// still Stripe.net's to check, before this is read.
/// </summary>
public sealed record WebhookEvent(string Id, string Type, EventObject Subject)
{
    /// <summary>Reads an event; throws <see cref="FormatException"/> when the payload is not one.</summary>
    public static WebhookEvent Parse(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || Text(root, "id") is not { } id
                || Text(root, "type") is not { } type
                || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object
                || !data.TryGetProperty("object", out var item) || item.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A Stripe event needs an id, a type and data.object.");
            }

            RefuseUnstorable(root);
            return new WebhookEvent(id, type, EventObject.Read(item));
        }
        catch (Exception invalid) when (invalid is JsonException or InvalidOperationException)
        {
            throw new FormatException($"Not a Stripe event: {invalid.Message}", invalid);
        }
    }

    /// <summary>
    /// The payload is stored as jsonb, which refuses NUL and half surrogate
    /// pairs anywhere in it; Stripe never sends them, so such a body is no event.
    /// </summary>
    private static void RefuseUnstorable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    RefuseNul(property.Name);
                    RefuseUnstorable(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    RefuseUnstorable(item);
                }

                break;
            case JsonValueKind.String:
                RefuseNul(element.GetString()!); // throws InvalidOperationException for half a surrogate pair
                break;
        }
    }

    private static void RefuseNul(string text)
    {
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new FormatException("A Stripe event holds no NUL character.");
        }
    }

    internal static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// The object of an event: a payment intent, a charge or a dispute, with
/// Stripe's fields that matter here (absent ones are 0 or null, as Stripe.net
/// would leave them).
/// </summary>
/// <param name="Kind">Stripe's <c>object</c>: <c>payment_intent</c>, <c>charge</c>, <c>dispute</c>...</param>
/// <param name="Id">The object's id.</param>
/// <param name="Amount">Its <c>amount</c>, in cents.</param>
/// <param name="AmountReceived">A payment intent's <c>amount_received</c>.</param>
/// <param name="AmountRefunded">A charge's <c>amount_refunded</c>.</param>
/// <param name="Currency">Its <c>currency</c>.</param>
/// <param name="Status">Its <c>status</c> (a dispute's outcome).</param>
/// <param name="PaymentIntentId">A charge's or a dispute's payment intent.</param>
/// <param name="ChargeId">A dispute's charge.</param>
/// <param name="LatestChargeId">A payment intent's latest charge.</param>
/// <param name="FailureMessage">A payment intent's <c>last_payment_error.message</c>.</param>
/// <param name="OrderId">A payment intent's <c>metadata.order_id</c>.</param>
/// <param name="Origin">A payment intent's <c>metadata.ticketing_service</c>: the deployment that created it.</param>
public sealed record EventObject(
    string? Kind,
    string? Id,
    long Amount,
    long AmountReceived,
    long AmountRefunded,
    string? Currency,
    string? Status,
    string? PaymentIntentId,
    string? ChargeId,
    string? LatestChargeId,
    string? FailureMessage,
    string? OrderId,
    string? Origin)
{
    internal static EventObject Read(JsonElement item) => new(
        WebhookEvent.Text(item, "object"),
        WebhookEvent.Text(item, "id"),
        Cents(item, "amount"),
        Cents(item, "amount_received"),
        Cents(item, "amount_refunded"),
        WebhookEvent.Text(item, "currency"),
        WebhookEvent.Text(item, "status"),
        Reference(item, "payment_intent"),
        Reference(item, "charge"),
        Reference(item, "latest_charge"),
        item.TryGetProperty("last_payment_error", out var error) && error.ValueKind == JsonValueKind.Object ? WebhookEvent.Text(error, "message") : null,
        item.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object ? WebhookEvent.Text(metadata, "order_id") : null,
        metadata.ValueKind == JsonValueKind.Object ? WebhookEvent.Text(metadata, PaymentsOrigin.MetadataKey) : null);

    /// <summary>An amount in cents; absent or null is 0, anything but a whole number is no Stripe object.</summary>
    private static long Cents(JsonElement item, string name) =>
        !item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null ? 0
        : value.ValueKind == JsonValueKind.Number ? value.GetInt64()
        : throw new FormatException($"{name} is not an amount.");

    /// <summary>Another object named by its id, or expanded in place (then its <c>id</c>).</summary>
    private static string? Reference(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => WebhookEvent.Text(value, "id"),
            _ => null,
        } : null;
}
