namespace Ticketing.StripeEmulator.Tests;

/// <summary>An endpoint that enables only some event types receives only those, as a Stripe webhook endpoint does; the events are all listed.</summary>
public sealed class EnabledEventsTests : EmulatorTest
{
    [Fact]
    public async Task Webhook_WithEnabledEvents_SendsOnlyThoseTypes_AndListsEveryEvent()
    {
        var intent = await CreateIntentAsync();
        Control.Succeed(intent.Id);

        await Receiver.WaitForEventAsync("payment_intent.succeeded", intent.Id);
        // Every delivery there will be has been attempted: a type sent by mistake would be among them.
        await Control.WaitForIdleAsync();

        Assert.Equal(["payment_intent.succeeded"], Receiver.Received.Select(r => r.Event.Type).Distinct());
        Assert.Equal(["payment_intent.succeeded"], Control.Deliveries.Select(a => a.EventType).Distinct());
        Assert.Contains(Control.Events, e => e.Type == "payment_intent.created");
        Assert.Contains(Control.Events, e => e.Type == "charge.succeeded");
    }

    protected override Task<EmulatorHost> StartHostAsync() => EmulatorHost.StartAsync(new Dictionary<string, string?>
    {
        ["StripeEmulator:EnabledEvents:0"] = "payment_intent.succeeded",
        ["StripeEmulator:EnabledEvents:1"] = "charge.refunded",
    });
}
