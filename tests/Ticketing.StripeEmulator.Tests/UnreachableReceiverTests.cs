namespace Ticketing.StripeEmulator.Tests;

public sealed class UnreachableReceiverTests : EmulatorTest
{
    [Fact]
    public async Task Webhook_WhenEndpointIsUnreachable_RetriesUntilTheScheduleRunsOut()
    {
        var intent = await CreateIntentAsync();
        var created = Control.Events.Single(e => e.Type == "payment_intent.created");

        // Three retry delays configured: four attempts, then it gives up.
        var attempts = await Control.WaitForDeliveriesAsync(all => all.Count(a => a.EventId == created.Id) == 4);
        await Task.Delay(500);

        Assert.Equal(4, Control.Deliveries.Count(a => a.EventId == created.Id));
        Assert.All(attempts, a => Assert.Null(a.StatusCode));
        Assert.All(attempts, a => Assert.NotNull(a.Error));
        Assert.Equal("payment_intent", ((Payments.PaymentIntent)created.Data.Object).Object);
        Assert.Equal(intent.Id, ((Payments.PaymentIntent)created.Data.Object).Id);
    }

    // Nothing listens on port 9 of the loopback interface (the discard port): connections are refused.
    protected override Task<EmulatorHost> StartHostAsync() => EmulatorHost.StartAsync(
        new Dictionary<string, string?> { ["StripeEmulator:WebhookUrl"] = "http://127.0.0.1:9/webhooks/stripe" },
        withReceiver: false);
}
