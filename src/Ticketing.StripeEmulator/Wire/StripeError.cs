using System.Text.Json.Serialization;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>
/// The body of Stripe's <c>error</c> object, also used as a payment intent's
/// <c>last_payment_error</c>. Absent fields are left out, as Stripe does.
/// </summary>
public sealed record StripeError
{
    public const string InvalidRequest = "invalid_request_error";
    public const string CardError = "card_error";
    public const string IdempotencyError = "idempotency_error";
    public const string ApiError = "api_error";

    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Code { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeclineCode { get; init; }

    public required string Message { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Param { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Charge { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PaymentMethodReference? PaymentMethod { get; init; }

    /// <summary>The payment intent after a failed confirmation (card errors only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? PaymentIntent { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DocUrl { get; init; }
}
