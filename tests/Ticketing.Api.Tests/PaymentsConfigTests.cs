using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Ticketing.Api.Apis;
using Ticketing.Api.Payments;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// <c>GET /api/payments/config</c>: what a page needs to take a payment, for
/// the emulator (its hosted page, or the address a browser reaches it at) and
/// for real Stripe (the publishable key), never a secret; and a page paying an
/// order on the emulator's hosted page, as a browser would.
/// </summary>
public sealed class PaymentsConfigTests(
    ApiFixture emulator, PaymentsConfigTests.CheckoutElsewhere elsewhere, PaymentsConfigTests.RealStripe stripe)
    : IClassFixture<ApiFixture>, IClassFixture<PaymentsConfigTests.CheckoutElsewhere>, IClassFixture<PaymentsConfigTests.RealStripe>
{
    [Fact]
    public async Task Config_WithTheEmulator_AnswersItsHostedPageUnderApiBase_ToAnyone()
    {
        using var response = await emulator.App.CreateClient().GetAsync("/api/payments/config");

        var body = await response.Content.ReadAsStringAsync();
        var config = await response.AssertJson(HttpStatusCode.OK);
        Assert.Equal("emulator", config.GetProperty("mode").GetString());
        Assert.Equal("http://stripe.test/checkout", config.GetProperty("checkoutUrl").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, config.GetProperty("publishableKey").ValueKind);
        AssertNoSecret(body);
    }

    [Fact]
    public async Task Config_WithCheckoutUrlSet_AnswersIt()
    {
        var config = await (await elsewhere.App.CreateClient().GetAsync("/api/payments/config")).AssertJson(HttpStatusCode.OK);

        Assert.Equal("emulator", config.GetProperty("mode").GetString());
        Assert.Equal(CheckoutElsewhere.BrowserCheckoutUrl, config.GetProperty("checkoutUrl").GetString());
    }

    [Fact]
    public async Task Config_WithRealStripe_AnswersThePublishableKey_AndNoSecret()
    {
        using var response = await stripe.App.CreateClient().GetAsync("/api/payments/config");

        var body = await response.Content.ReadAsStringAsync();
        var config = await response.AssertJson(HttpStatusCode.OK);
        Assert.Equal("stripe", config.GetProperty("mode").GetString());
        Assert.Equal(RealStripe.PublishableKey, config.GetProperty("publishableKey").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, config.GetProperty("checkoutUrl").ValueKind);
        AssertNoSecret(body);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Config_WithRealStripeAndNoPublishableKey_SaysStripeWithANullKey(string? publishableKey)
    {
        var config = PaymentsConfigResponse.From(new StripeOptions
        {
            ApiBase = "https://api.stripe.com",
            SecretKey = "sk_live_secret",
            WebhookSecret = "whsec_x",
            PublishableKey = publishableKey,
            CheckoutUrl = "http://127.0.0.1:12111/checkout",
        });

        Assert.Equal(new PaymentsConfigResponse("stripe", null, null), config);
    }

    [Theory]
    [InlineData("https://api.stripe.com", true)]
    [InlineData("https://api.stripe.com/", true)]
    [InlineData("HTTPS://API.STRIPE.COM", true)]
    [InlineData("http://localhost:12111", false)]
    [InlineData("http://stripe-emulator:12111", false)]
    [InlineData("https://api.stripe.com.example", false)]
    public void Mode_IsStripeOnlyForStripesOwnApi(string apiBase, bool isStripe)
    {
        var options = new StripeOptions { ApiBase = apiBase, SecretKey = "sk_test_x", WebhookSecret = "whsec_x", PublishableKey = "pk_test_x" };

        Assert.Equal(isStripe ? "stripe" : "emulator", PaymentsConfigResponse.From(options).Mode);
        Assert.Equal(isStripe ? null : apiBase.TrimEnd('/') + "/checkout", PaymentsConfigResponse.From(options).CheckoutUrl);
    }

    [Fact]
    public async Task Config_IsLimitedPerAddress_LikeTheOtherAnonymousReads()
    {
        using var client = elsewhere.App.ClientFrom(IPAddress.Parse("203.0.113.41"));
        for (var i = 0; i < CheckoutElsewhere.AnonymousBurst; i++)
        {
            await (await client.GetAsync("/api/payments/config")).AssertJson(HttpStatusCode.OK);
        }

        var refused = await client.GetAsync("/api/payments/config");

        await refused.AssertProblem(HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.NotNull(refused.Headers.RetryAfter);
    }

    [Fact]
    public async Task AnOrder_PaidOnTheEmulatorsHostedPage_ComesBackToReturnUrl_AndIsFulfilled()
    {
        var app = emulator.App;
        var buyer = app.Buyer("page-buyer");
        var tierId = await TierSetup.CreateAsync(app, capacity: 5);
        var order = await buyer.PlaceOrderAsync(await buyer.HoldAsync(tierId, 2));
        var orderId = order.GetProperty("id").GetGuid();
        var clientSecret = order.GetProperty("payment").GetProperty("clientSecret").GetString()!;
        var checkoutUrl = (await (await app.CreateClient().GetAsync("/api/payments/config")).AssertJson(HttpStatusCode.OK))
            .GetProperty("checkoutUrl").GetString()!;
        var returnUrl = $"http://localhost:5000/?order={orderId}#paid";
        var page = new Uri($"{checkoutUrl}/{Uri.EscapeDataString(clientSecret)}?return_url={Uri.EscapeDataString(returnUrl)}");
        using var browser = app.Stripe.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var shown = await browser.GetAsync(page.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, shown.StatusCode);
        Assert.Contains("Pay 50.00 EUR", await shown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var paid = await browser.PostAsync(page.PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["cardNumber"] = "4242 4242 4242 4242",
            ["expiry"] = $"12 / {(DateTime.UtcNow.Year + 5) % 100:00}",
            ["cvc"] = "123",
        }));

        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        var back = paid.Headers.Location!;
        Assert.StartsWith($"http://localhost:5000/?order={orderId}&payment_intent=", back.OriginalString, StringComparison.Ordinal);
        Assert.EndsWith("#paid", back.OriginalString, StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(back.Query);
        Assert.Equal(order.GetProperty("payment").GetProperty("paymentIntentId").GetString(), query["payment_intent"]);
        Assert.Equal(clientSecret, query["payment_intent_client_secret"]);
        Assert.Equal("succeeded", query["redirect_status"]);
        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
    }

    [Theory]
    [InlineData("Ticketing__Stripe__PublishableKey", "sk_test_put_in_the_wrong_place", "Ticketing:Stripe:PublishableKey must be a publishable key")]
    [InlineData("Ticketing__Stripe__PublishableKey", "pk_test_", "Ticketing:Stripe:PublishableKey must be a publishable key")]
    [InlineData("Ticketing__Stripe__PublishableKey", "pk_live_0123456789abcdef", "must both be test keys or both live keys")]
    [InlineData("Ticketing__Stripe__CheckoutUrl", "/checkout", "Ticketing:Stripe:CheckoutUrl must be an absolute http or https URL")]
    [InlineData("Ticketing__Stripe__CheckoutUrl", "ftp://127.0.0.1:12111/checkout", "Ticketing:Stripe:CheckoutUrl must be an absolute http or https URL")]
    public async Task Silo_WithAPaymentSettingOfTheWrongShape_RefusesToStartAndSaysWhich(string key, string value, string reason)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Ticketing"] = "Host=127.0.0.1;Port=1;Database=none",
            ["Ticketing__Auth__SigningKey"] = "a-secret-of-this-test-only-0123456789abcdef",
            ["Ticketing__Stripe__ApiBase"] = "https://api.stripe.com",
            ["Ticketing__Stripe__SecretKey"] = "sk_test_of_this_test_only",
            ["Ticketing__Stripe__WebhookSecret"] = "whsec_of_this_test_only",
            [key] = value,
        };

        var (exitCode, output) = await RunSiloUntilItExitsAsync(environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(reason, output, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_test_of_this_test_only", output, StringComparison.Ordinal);
    }

    private static void AssertNoSecret(string body)
    {
        Assert.DoesNotContain(StripeEmulatorHost.SecretKey, body, StringComparison.Ordinal);
        Assert.DoesNotContain(StripeEmulatorHost.WebhookSecret, body, StringComparison.Ordinal);
        Assert.DoesNotContain("sk_", body, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", body, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunSiloUntilItExitsAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ticketing.Api.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var silo = Process.Start(start)!;
        var errors = silo.StandardError.ReadToEndAsync();
        var output = silo.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await silo.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            silo.Kill(entireProcessTree: true);
            Assert.Fail("the silo started instead of refusing");
        }

        return (silo.ExitCode, await errors + await output);
    }

    /// <summary>The emulator reached by the silo at one address (ApiBase) and by browsers at another, as in docker-compose.</summary>
    public sealed class CheckoutElsewhere : ApiFixture
    {
        public const string BrowserCheckoutUrl = "http://127.0.0.1:12111/checkout";
        public const int AnonymousBurst = 3;

        // A small anonymous burst, so the rate limit test needs few requests; the trailing slash is not kept.
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Ticketing:Stripe:CheckoutUrl"] = BrowserCheckoutUrl + "/",
            ["Ticketing:RateLimits:Anonymous:Burst"] = AnonymousBurst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Ticketing:RateLimits:Anonymous:PerMinute"] = "1",
        };
    }

    /// <summary>A silo configured for Stripe itself (its calls still reach the in-process emulator; none is made here).</summary>
    public sealed class RealStripe : ApiFixture
    {
        public const string PublishableKey = "pk_test_51PaymentsConfigTests0123456789";

        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Ticketing:Stripe:ApiBase"] = "https://api.stripe.com",
            ["Ticketing:Stripe:PublishableKey"] = PublishableKey,
        };
    }
}
