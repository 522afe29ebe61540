using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

public sealed class WireFormatTests : EmulatorTest
{
    [Fact]
    public async Task Request_WithoutKey_Returns401InStripesErrorShape()
    {
        var response = await Host.CreateClient().GetAsync(new Uri("/v1/events", UriKind.Relative));

        var error = await ErrorOf(response, HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("API key", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_WithPublishableKey_Returns401()
    {
        var client = Host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "pk_test_123456789");

        var response = await client.GetAsync(new Uri("/v1/events", UriKind.Relative));

        await ErrorOf(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task StripeNet_WithPublishableKey_ThrowsUnauthorized()
    {
        var client = new StripeClient(new StripeClientOptions
        {
            ApiKey = "pk_test_123456789",
            ApiBase = Host.Server.BaseAddress.ToString().TrimEnd('/'),
            HttpClient = new SystemNetHttpClient(Host.CreateClient(), maxNetworkRetries: 0),
        });

        var refused = await RefusedAsync(() => new PaymentIntentService(client).GetAsync("pi_123"));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.HttpStatusCode);
        Assert.Equal("invalid_request_error", refused.StripeError.Type);
    }

    [Fact]
    public async Task Create_WithoutAmount_Returns400ParameterMissing()
    {
        var refused = await RefusedAsync(() => PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Currency = "usd" }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("invalid_request_error", refused.StripeError.Type);
        Assert.Equal("parameter_missing", refused.StripeError.Code);
        Assert.Equal("amount", refused.StripeError.Param);
    }

    [Fact]
    public async Task Create_BelowStripesMinimum_Returns400AmountTooSmall()
    {
        var refused = await RefusedAsync(() => CreateIntentAsync(amount: 10));

        Assert.Equal("amount_too_small", refused.StripeError.Code);
    }

    [Fact]
    public async Task Create_WithNestedBracketParameters_ReadsMetadataAndIgnoresTheRest()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["amount"] = "1000",
            ["currency"] = "EUR",
            ["metadata[order_id]"] = "o-42",
            ["metadata[tier]"] = "balcony seats",
            ["automatic_payment_methods[enabled]"] = "true",
            ["payment_method_options[card][request_three_d_secure]"] = "automatic",
        });

        var response = await Host.Http.PostAsync(new Uri("/v1/payment_intents", UriKind.Relative), form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("req_", response.Headers.GetValues("Request-Id").Single(), StringComparison.Ordinal);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var intent = body.RootElement;
        Assert.Equal("payment_intent", intent.GetProperty("object").GetString());
        Assert.Equal("eur", intent.GetProperty("currency").GetString());
        Assert.Equal("o-42", intent.GetProperty("metadata").GetProperty("order_id").GetString());
        Assert.Equal("balcony seats", intent.GetProperty("metadata").GetProperty("tier").GetString());
        Assert.Equal(2, intent.GetProperty("metadata").EnumerateObject().Count());
        Assert.Equal(JsonValueKind.Null, intent.GetProperty("latest_charge").ValueKind);
        Assert.False(intent.GetProperty("livemode").GetBoolean());
    }

    [Fact]
    public async Task Create_WithInvalidInteger_Returns400ParameterInvalidInteger()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "ten", ["currency"] = "usd" });

        var response = await Host.Http.PostAsync(new Uri("/v1/payment_intents", UriKind.Relative), form);

        var error = await ErrorOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("parameter_invalid_integer", error.GetProperty("code").GetString());
        Assert.Equal("amount", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task UnknownUrl_Returns404InStripesErrorShape()
    {
        var response = await Host.Http.GetAsync(new Uri("/v1/customers/cus_123", UriKind.Relative));

        var error = await ErrorOf(response, HttpStatusCode.NotFound);
        Assert.Contains("Unrecognized request URL", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {expected}, got {response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(text);
        return body.RootElement.GetProperty("error").Clone();
    }
}
