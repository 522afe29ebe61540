using System.Text.Encodings.Web;
using System.Text.Json;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>Stripe's JSON: snake_case names, explicit nulls, metadata keys as given.</summary>
public static class StripeJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        // JSON for API clients, never embedded in HTML: no need to escape quotes and apostrophes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(object value) => JsonSerializer.Serialize(value, value.GetType(), Options);
}
