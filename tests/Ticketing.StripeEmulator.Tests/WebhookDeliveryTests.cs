using System.Net.Http.Json;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

public sealed class WebhookDeliveryTests : EmulatorTest
{
    [Fact]
    public async Task Webhook_Signature_VerifiesWithEventUtilityAndTheConfiguredSecret()
    {
        var intent = await CreateIntentAsync(orderId: "order-signed");

        var received = (await Receiver.WaitForEventAsync("payment_intent.created", intent.Id)).Single();

        Assert.Empty(Receiver.Rejections);
        Assert.Matches("^t=[0-9]+,v1=[0-9a-f]{64}$", received.Signature);
        Assert.Equal(StripeConfiguration.ApiVersion, received.Event.ApiVersion);
        Assert.False(received.Event.Livemode);
        Assert.StartsWith("evt_", received.Event.Id, StringComparison.Ordinal);
        Assert.Equal("order-signed", ((PaymentIntent)received.Event.Data.Object).Metadata["order_id"]);
        Assert.Throws<StripeException>(() =>
            EventUtility.ConstructEvent(received.Body, received.Signature, "whsec_some_other_secret", 300, throwOnApiVersionMismatch: true));
    }

    [Fact]
    public async Task Webhook_Event_RecordsTheRequestAndItsIdempotencyKey()
    {
        var options = new RequestOptions { IdempotencyKey = $"order-{Guid.NewGuid()}" };
        var intent = await PaymentIntents.CreateAsync(new PaymentIntentCreateOptions { Amount = 990, Currency = "usd" }, options);

        var received = (await Receiver.WaitForEventAsync("payment_intent.created", intent.Id)).Single();

        Assert.Equal(options.IdempotencyKey, received.Event.Request.IdempotencyKey);
        Assert.Equal(intent.StripeResponse.RequestId, received.Event.Request.Id);
    }

    [Fact]
    public async Task Webhook_WhenReceiverFailsTwice_ArrivesOnTheThirdAttempt()
    {
        Receiver.FailNext(2, "payment_intent.created");

        var intent = await CreateIntentAsync();

        var delivered = await Control.WaitForDeliveredAsync("payment_intent.created", intent.Id);
        var attempts = Control.Deliveries.Where(a => a.EventId == delivered.Id).ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Attempt));
        Assert.Equal([500, 500, 200], attempts.Select(a => a.StatusCode));
        Assert.Single(Receiver.EventsOf("payment_intent.created"));
    }

    [Fact]
    public async Task Webhook_Failures_DoNotHoldUpOtherEvents()
    {
        Receiver.FailNext(3, "payment_intent.created");

        var intent = await CreateIntentAsync();
        Control.Succeed(intent.Id);

        await Receiver.WaitForEventAsync("payment_intent.succeeded", intent.Id);
        // The delivery log, not the receiver: an attempt is logged once its answer is read.
        var created = await Control.WaitForDeliveredAsync("payment_intent.created", intent.Id);
        Assert.Equal(4, Control.Deliveries.Count(a => a.EventId == created.Id));
    }

    [Fact]
    public async Task Deliveries_AreListedOverHttp()
    {
        var intent = await CreateIntentAsync();
        var delivered = await Control.WaitForDeliveredAsync("payment_intent.created", intent.Id);

        var attempts = await Host.CreateClient().GetFromJsonAsync<System.Text.Json.JsonElement>(
            new Uri($"/_emulator/deliveries?eventId={delivered.Id}", UriKind.Relative));

        var attempt = Assert.Single(attempts.EnumerateArray());
        Assert.Equal(delivered.Id, attempt.GetProperty("eventId").GetString());
        Assert.Equal("payment_intent.created", attempt.GetProperty("eventType").GetString());
        Assert.Equal(1, attempt.GetProperty("attempt").GetInt32());
        Assert.Equal(200, attempt.GetProperty("statusCode").GetInt32());
        Assert.True(attempt.TryGetProperty("at", out _));
    }
}
