using System.Net;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

public sealed class IdempotencyTests : EmulatorTest
{
    [Fact]
    public async Task Create_WithSameKeyAndParams_ReplaysTheFirstResponse()
    {
        var key = RequestOptionsWithKey();
        var options = new PaymentIntentCreateOptions { Amount = 1500, Currency = "usd", Metadata = new() { ["order_id"] = "idem-1" } };

        var first = await PaymentIntents.CreateAsync(options, key);
        var second = await PaymentIntents.CreateAsync(options, key);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.ClientSecret, second.ClientSecret);
        Assert.Equal("true", second.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
        var created = Control.Events.Where(e => e.Type == "payment_intent.created").ToList();
        Assert.Equal(key.IdempotencyKey, Assert.Single(created).Request.IdempotencyKey);
    }

    [Fact]
    public async Task Create_WithSameKeyDifferentParams_Returns400IdempotencyError()
    {
        var key = RequestOptionsWithKey();
        await PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1500, Currency = "usd" }, key);

        var refused = await RefusedAsync(() =>
            PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1600, Currency = "usd" }, key));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("idempotency_error", refused.StripeError.Type);
        Assert.Single(Control.Events, e => e.Type == "payment_intent.created");
    }

    [Fact]
    public async Task SameKey_OnAnotherEndpoint_Returns400IdempotencyError()
    {
        var key = RequestOptionsWithKey();
        var intent = await PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1500, Currency = "usd" }, key);

        var refused = await RefusedAsync(() => PaymentIntents.CancelAsync(intent.Id, requestOptions: key));

        Assert.Equal("idempotency_error", refused.StripeError.Type);
    }

    [Fact]
    public async Task Confirm_DeclinedAndReplayed_ReturnsTheSame402WithoutChargingAgain()
    {
        var intent = await CreateIntentAsync();
        var key = RequestOptionsWithKey();
        var declined = new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" };

        var first = await RefusedAsync(() => PaymentIntents.ConfirmAsync(intent.Id, declined, key));
        var replay = await RefusedAsync(() => PaymentIntents.ConfirmAsync(intent.Id, declined, key));

        Assert.Equal(HttpStatusCode.PaymentRequired, replay.HttpStatusCode);
        Assert.Equal(first.StripeError.Charge, replay.StripeError.Charge);
        Assert.Single(Control.Events, e => e.Type == "payment_intent.payment_failed");
    }

    [Fact]
    public async Task Create_WithParameterErrorThenFixed_SameKeyRunsTheFixedRequest()
    {
        var key = RequestOptionsWithKey();
        await RefusedAsync(() => PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Currency = "usd" }, key));

        var created = await PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 1500, Currency = "usd" }, key);

        Assert.Equal(1500, created.Amount);
    }

    [Fact]
    public async Task Refund_Replayed_RefundsOnce()
    {
        var paid = await PaidIntentAsync(amount: 2000);
        var key = RequestOptionsWithKey();
        var options = new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 500 };

        var first = await Refunds.CreateAsync(options, key);
        var second = await Refunds.CreateAsync(options, key);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(500, (await Charges.GetAsync(paid.LatestChargeId)).AmountRefunded);
    }

    private static RequestOptions RequestOptionsWithKey() => new() { IdempotencyKey = $"test-{Guid.NewGuid()}" };
}
