namespace Ticketing.StripeEmulator.Tests;

public sealed class UnreachableReceiverTests : EmulatorTest
{
    [Fact]
    public async Task Webhook_WhenEndpointIsUnreachable_RetriesUntilTheScheduleRunsOut()
    {
        var intent = await CreateIntentAsync();
        var created = Control.Events.Single(e => e.Type == "payment_intent.created");

        // Three retry delays configured: four attempts, then it gives up.
        // Idle once it gives up: a fifth attempt would keep it busy until made.
        await Control.WaitForIdleAsync();

        var attempts = Control.Deliveries.Where(a => a.EventId == created.Id).ToList();
        Assert.Equal([1, 2, 3, 4], attempts.Select(a => a.Attempt));
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
