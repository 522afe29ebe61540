using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

/// <summary>
/// The hosted payment page a browser pays on: it shows the payment, pays it
/// through the same confirmation as <c>POST /v1/payment_intents/{id}/confirm</c>,
/// and sends the browser back to <c>return_url</c> as Stripe does.
/// </summary>
public sealed class CheckoutPageTests : EmulatorTest
{
    private const string Visa = "4242 4242 4242 4242";
    private const string Declined = "4000 0000 0000 0002";
    private const string ReturnTo = "http://localhost:5000/orders/7";

    private static readonly string FutureExpiry = $"12 / {(DateTime.UtcNow.Year + 5) % 100:00}";

    private HttpClient Browser => Host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task Show_AnUnpaidIntent_ShowsTheAmountTheTestCardsAndALabelledForm()
    {
        var intent = await CreateIntentAsync(amount: 123450, orderId: "order-shown");

        using var response = await Browser.GetAsync(PageOf(intent.ClientSecret, ReturnTo));

        var html = await HtmlAsync(response, HttpStatusCode.OK);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", html, StringComparison.Ordinal);
        Assert.Contains("Stripe emulator — test mode", html, StringComparison.Ordinal);
        Assert.Contains("<h1>Pay 1,234.50 USD</h1>", html, StringComparison.Ordinal);
        Assert.Contains("Tickets for order-shown", html, StringComparison.Ordinal);
        Assert.Contains("4242 4242 4242 4242", html, StringComparison.Ordinal);
        Assert.Contains("4000 0000 0000 0002", html, StringComparison.Ordinal);
        foreach (var field in new[] { "cardNumber", "expiry", "cvc" })
        {
            Assert.Contains($"<label for=\"{field}\">", html, StringComparison.Ordinal);
            Assert.Contains($"<input id=\"{field}\" name=\"{field}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        // Nothing loaded from anywhere: no script, no stylesheet, no image, no font.
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" src=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", html, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'; style-src 'sha256-", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Show_EscapesWhatTheIntentCarries()
    {
        var intent = await PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2500,
            Currency = "eur",
            Description = "<script>alert('x')</script>",
            Metadata = new Dictionary<string, string> { ["order_id"] = "\"><img src=x>" },
        });

        var html = await HtmlAsync(await Browser.GetAsync(PageOf(intent.ClientSecret, ReturnTo)), HttpStatusCode.OK);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pay_WithVisa_RedirectsToReturnUrlWithStripesParams_AndTheIntentSucceeds_AndSucceededIsDeliveredOnce()
    {
        var intent = await CreateIntentAsync(amount: 3000, orderId: "order-visa");

        using var response = await PayAsync(intent.ClientSecret, ReturnTo, Visa);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(ReturnTo, location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(intent.Id, query["payment_intent"]);
        Assert.Equal(intent.ClientSecret, query["payment_intent_client_secret"]);
        Assert.Equal("succeeded", query["redirect_status"]);

        var paid = await PaymentIntents.GetAsync(intent.Id);
        Assert.Equal("succeeded", paid.Status);
        Assert.Equal(3000, paid.AmountReceived);
        Assert.Equal("pm_card_visa", paid.PaymentMethodId);
        Assert.Equal("succeeded", (await Charges.GetAsync(paid.LatestChargeId)).Status);

        await Receiver.WaitForEventAsync("payment_intent.succeeded", intent.Id);
        await Control.WaitForIdleAsync();
        var succeeded = Assert.Single(Receiver.EventsOf("payment_intent.succeeded"));
        Assert.Equal("order-visa", ((PaymentIntent)succeeded.Data.Object).Metadata["order_id"]);
        Assert.Single(Receiver.EventsOf("charge.succeeded"));
    }

    [Fact]
    public async Task Pay_WithDeclinedCard_RedirectsWithFailed_AndLeavesTheIntentAsConfirmWould()
    {
        var onPage = await CreateIntentAsync(orderId: "order-declined-page");
        var byApi = await CreateIntentAsync(orderId: "order-declined-api");
        await RefusedAsync(() => PaymentIntents.ConfirmAsync(byApi.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }));

        using var response = await PayAsync(onPage.ClientSecret, ReturnTo, Declined);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var query = QueryHelpers.ParseQuery(response.Headers.Location!.Query);
        Assert.Equal(onPage.Id, query["payment_intent"]);
        Assert.Equal(onPage.ClientSecret, query["payment_intent_client_secret"]);
        Assert.Equal("failed", query["redirect_status"]);

        var failed = await PaymentIntents.GetAsync(onPage.Id);
        var expected = await PaymentIntents.GetAsync(byApi.Id);
        Assert.Equal("requires_payment_method", failed.Status);
        Assert.Equal(expected.Status, failed.Status);
        Assert.Equal(expected.AmountReceived, failed.AmountReceived);
        Assert.Equal(expected.PaymentMethodId, failed.PaymentMethodId);
        Assert.Equal(expected.LastPaymentError.Type, failed.LastPaymentError.Type);
        Assert.Equal(expected.LastPaymentError.Code, failed.LastPaymentError.Code);
        Assert.Equal(expected.LastPaymentError.DeclineCode, failed.LastPaymentError.DeclineCode);
        Assert.Equal(expected.LastPaymentError.Message, failed.LastPaymentError.Message);
        Assert.Equal("failed", (await Charges.GetAsync(failed.LatestChargeId)).Status);

        await Receiver.WaitForEventAsync("payment_intent.payment_failed", onPage.Id);
        await Control.WaitForIdleAsync();
        var emitted = Assert.Single(Receiver.EventsOf("payment_intent.payment_failed"), e => ((PaymentIntent)e.Data.Object).Id == onPage.Id);
        Assert.Equal("order-declined-page", ((PaymentIntent)emitted.Data.Object).Metadata["order_id"]);
        Assert.Equal("generic_decline", ((PaymentIntent)emitted.Data.Object).LastPaymentError.DeclineCode);
    }

    [Fact]
    public async Task Pay_AfterADecline_ShowsWhyAndCanSucceed()
    {
        var intent = await CreateIntentAsync();
        await PayAsync(intent.ClientSecret, ReturnTo, Declined);

        var html = await HtmlAsync(await Browser.GetAsync(PageOf(intent.ClientSecret, ReturnTo)), HttpStatusCode.OK);
        using var retry = await PayAsync(intent.ClientSecret, ReturnTo, Visa);

        Assert.Contains("The last attempt to pay was declined: Your card was declined.", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, retry.StatusCode);
        Assert.Equal("succeeded", QueryHelpers.ParseQuery(retry.Headers.Location!.Query)["redirect_status"]);
        Assert.Equal("succeeded", (await PaymentIntents.GetAsync(intent.Id)).Status);
    }

    [Theory]
    [InlineData("4111 1111 1111 1111", "The emulator has no test card with this number.")]
    [InlineData("", "Enter a card number.")]
    [InlineData("4242-4242-4242-424x", "The emulator has no test card with this number.")]
    public async Task Pay_WithACardTheEmulatorDoesNotKnow_ShowsAnInlineError_AndChangesNothing(string number, string error)
    {
        var intent = await CreateIntentAsync();
        var eventsBefore = Control.Events.Count;

        using var response = await PayAsync(intent.ClientSecret, ReturnTo, number);

        var html = await HtmlAsync(response, (HttpStatusCode)422);
        Assert.Contains($"<p class=\"error\" id=\"cardNumber-error\">{error}", html, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\" aria-describedby=\"cardNumber-error\"", html, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        Assert.Equal("requires_payment_method", (await PaymentIntents.GetAsync(intent.Id)).Status);
        Assert.Equal(eventsBefore, Control.Events.Count);
    }

    [Theory]
    [InlineData("01 / 20", "123", "expiry", "This card has expired")]
    [InlineData("13 / 40", "123", "expiry", "Enter the expiry date as MM / YY")]
    [InlineData("", "123", "expiry", "Enter the expiry date as MM / YY")]
    [InlineData(null, "12", "cvc", "Enter the card&#x27;s security code")]
    [InlineData(null, "12a", "cvc", "Enter the card&#x27;s security code")]
    public async Task Pay_WithABadExpiryOrCvc_ShowsAnInlineError_AndChangesNothing(string? expiry, string cvc, string field, string error)
    {
        var intent = await CreateIntentAsync();
        var eventsBefore = Control.Events.Count;

        using var response = await PayAsync(intent.ClientSecret, ReturnTo, Visa, expiry ?? FutureExpiry, cvc);

        var html = await HtmlAsync(response, (HttpStatusCode)422);
        Assert.Contains($"<p class=\"error\" id=\"{field}-error\">{error}", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"cardNumber-error\"", html, StringComparison.Ordinal);
        Assert.Contains($"value=\"{Visa}\"", html, StringComparison.Ordinal);
        Assert.Equal("requires_payment_method", (await PaymentIntents.GetAsync(intent.Id)).Status);
        Assert.Equal(eventsBefore, Control.Events.Count);
    }

    [Theory]
    [InlineData("pi_unknown_secret_abcdefghijklmnopqrstuvwxy")]
    [InlineData("nonsense")]
    [InlineData("_secret_")]
    [InlineData("WRONG")]
    public async Task UnknownOrMalformedClientSecret_Answers404_AndChargesNothing(string secret)
    {
        var intent = await CreateIntentAsync();
        // Another intent's id with a secret that is not its own.
        var clientSecret = secret == "WRONG" ? $"{intent.Id}_secret_{new string('x', 25)}" : secret;
        var eventsBefore = Control.Events.Count;

        var shown = await HtmlAsync(await Browser.GetAsync(PageOf(clientSecret, ReturnTo)), HttpStatusCode.NotFound);
        var paid = await HtmlAsync(await PayAsync(clientSecret, ReturnTo, Visa), HttpStatusCode.NotFound);

        Assert.Contains("<h1>No such payment</h1>", shown, StringComparison.Ordinal);
        Assert.Contains("<h1>No such payment</h1>", paid, StringComparison.Ordinal);
        Assert.Equal("requires_payment_method", (await PaymentIntents.GetAsync(intent.Id)).Status);
        Assert.Equal(eventsBefore, Control.Events.Count);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/orders/7")]
    [InlineData("orders/7")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://shop.example/orders/7")]
    [InlineData("mailto:ada@example.com")]
    public async Task MissingRelativeOrNonHttpReturnUrl_Answers400_AndChargesNothing(string? returnUrl)
    {
        var intent = await CreateIntentAsync();
        var eventsBefore = Control.Events.Count;

        var shown = await HtmlAsync(await Browser.GetAsync(PageOf(intent.ClientSecret, returnUrl)), HttpStatusCode.BadRequest);
        var paid = await HtmlAsync(await PayAsync(intent.ClientSecret, returnUrl, Visa), HttpStatusCode.BadRequest);

        Assert.Contains("<h1>This payment link is incomplete</h1>", shown, StringComparison.Ordinal);
        Assert.Contains("<h1>This payment link is incomplete</h1>", paid, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", shown, StringComparison.Ordinal);
        Assert.Equal("requires_payment_method", (await PaymentIntents.GetAsync(intent.Id)).Status);
        Assert.Equal(eventsBefore, Control.Events.Count);
    }

    [Fact]
    public async Task Pay_Twice_ChargesOnce_AndTheSecondIsToldItIsPaid()
    {
        var intent = await CreateIntentAsync();
        using var first = await PayAsync(intent.ClientSecret, ReturnTo, Visa);
        Assert.Equal(HttpStatusCode.SeeOther, first.StatusCode);

        using var second = await PayAsync(intent.ClientSecret, ReturnTo, Visa);
        var shownAfter = await HtmlAsync(await Browser.GetAsync(PageOf(intent.ClientSecret, ReturnTo)), HttpStatusCode.OK);

        var html = await HtmlAsync(second, HttpStatusCode.Conflict);
        Assert.Contains("<h1>This payment is already made</h1>", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{ReturnTo}?payment_intent={intent.Id}&amp;payment_intent_client_secret={intent.ClientSecret}&amp;redirect_status=succeeded\"", html, StringComparison.Ordinal);
        Assert.Contains("<h1>This payment is already made</h1>", shownAfter, StringComparison.Ordinal);
        Assert.DoesNotContain("<form", shownAfter, StringComparison.Ordinal);
        await Control.WaitForIdleAsync();
        Assert.Single(Control.Events, e => e.Type == "charge.succeeded");
        Assert.Single(Receiver.EventsOf("payment_intent.succeeded"));
    }

    [Fact]
    public async Task Pay_ManySubmissionsAtOnce_ChargeOnce()
    {
        // Many rounds: on a small machine the submissions of one round do not always overlap.
        const int Rounds = 30;
        const int Submissions = 12;
        for (var round = 0; round < Rounds; round++)
        {
            var intent = await CreateIntentAsync(orderId: $"order-race-{round}");
            var clients = Enumerable.Range(0, Submissions).Select(_ => Browser).ToList();
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var submissions = clients.Select(async client =>
            {
                await go.Task;
                using var response = await PayAsync(client, intent.ClientSecret, ReturnTo, Visa);
                return response.StatusCode;
            }).ToList();

            go.SetResult();
            var answers = await Task.WhenAll(submissions);

            Assert.Equal(1, answers.Count(status => status == HttpStatusCode.SeeOther));
            Assert.Equal(Submissions - 1, answers.Count(status => status == HttpStatusCode.Conflict));
            Assert.Equal("succeeded", (await PaymentIntents.GetAsync(intent.Id)).Status);
        }

        await Control.WaitForIdleAsync();
        Assert.Equal(Rounds, Control.Events.Count(e => e.Type == "charge.succeeded"));
        Assert.Equal(Rounds, Receiver.EventsOf("payment_intent.succeeded").Count);
        Assert.Equal(Rounds, Receiver.EventsOf("payment_intent.succeeded").Select(e => ((PaymentIntent)e.Data.Object).Id).Distinct().Count());
    }

    [Fact]
    public async Task ACanceledIntent_SaysSoWithALinkBack_AndCannotBePaid()
    {
        var intent = await CreateIntentAsync();
        await PaymentIntents.CancelAsync(intent.Id);

        var shown = await HtmlAsync(await Browser.GetAsync(PageOf(intent.ClientSecret, ReturnTo)), HttpStatusCode.OK);
        var paid = await HtmlAsync(await PayAsync(intent.ClientSecret, ReturnTo, Visa), HttpStatusCode.Conflict);

        Assert.Contains("<h1>This payment was canceled</h1>", shown, StringComparison.Ordinal);
        Assert.Contains($"href=\"{ReturnTo}?payment_intent={intent.Id}&amp;payment_intent_client_secret={intent.ClientSecret}&amp;redirect_status=failed\"", shown, StringComparison.Ordinal);
        Assert.Contains("<h1>This payment was canceled</h1>", paid, StringComparison.Ordinal);
        Assert.Equal("canceled", (await PaymentIntents.GetAsync(intent.Id)).Status);
        Assert.DoesNotContain(Control.Events, e => e.Type is "charge.succeeded" or "charge.failed");
    }

    [Theory]
    [InlineData("https://shop.example/orders/7?step=pay&lang=en#receipt", "https://shop.example/orders/7?step=pay&lang=en&{0}#receipt")]
    [InlineData("https://shop.example/orders/7#receipt", "https://shop.example/orders/7?{0}#receipt")]
    [InlineData("https://shop.example/orders/7?step=pay", "https://shop.example/orders/7?step=pay&{0}")]
    [InlineData("http://127.0.0.1:5000/?a=%20b&c=d%26e#x?y=z", "http://127.0.0.1:5000/?a=%20b&c=d%26e&{0}#x?y=z")]
    public async Task Pay_KeepsTheReturnUrlsOwnQueryAndFragment(string returnUrl, string expected)
    {
        var intent = await CreateIntentAsync();

        using var response = await PayAsync(intent.ClientSecret, returnUrl, Visa);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var added = $"payment_intent={intent.Id}&payment_intent_client_secret={intent.ClientSecret}&redirect_status=succeeded";
        Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, added), response.Headers.Location!.OriginalString);
    }

    private static string PageOf(string clientSecret, string? returnUrl) =>
        $"/checkout/{Uri.EscapeDataString(clientSecret)}" + (returnUrl is null ? "" : $"?return_url={Uri.EscapeDataString(returnUrl)}");

    private Task<HttpResponseMessage> PayAsync(string clientSecret, string? returnUrl, string number, string? expiry = null, string cvc = "123") =>
        PayAsync(Browser, clientSecret, returnUrl, number, expiry, cvc);

    private static async Task<HttpResponseMessage> PayAsync(
        HttpClient browser, string clientSecret, string? returnUrl, string number, string? expiry = null, string cvc = "123") =>
        await browser.PostAsync(
            PageOf(clientSecret, returnUrl),
            new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["cardNumber"] = number,
                ["expiry"] = expiry ?? FutureExpiry,
                ["cvc"] = cvc,
            }));

    private static async Task<string> HtmlAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        return html;
    }
}
