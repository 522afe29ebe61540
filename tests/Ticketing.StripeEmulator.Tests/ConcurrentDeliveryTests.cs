using Ticketing.StripeEmulator.Webhooks;

namespace Ticketing.StripeEmulator.Tests;

public sealed class ConcurrentDeliveryTests : EmulatorTest
{
    [Fact]
    public async Task DeliveryConcurrency_AboveOne_DeliversEveryCopyWhileOthersFail()
    {
        Control.ConfigureDelivery(new DeliverySettings(Duplicate: 4));
        Receiver.FailNext(2);

        var intent = await CreateIntentAsync();

        await Receiver.WaitForAsync(all => all.Count(r => r.ObjectId == intent.Id) == 5);
        // Idle: every attempt is logged (its answer read) and no retry is waiting, so none can follow.
        await Control.WaitForIdleAsync();
        Assert.Equal(7, Control.Deliveries.Count);
        Assert.Equal(2, Control.Deliveries.Count(a => a.Attempt == 2));
    }

    protected override Task<EmulatorHost> StartHostAsync() =>
        EmulatorHost.StartAsync(new Dictionary<string, string?> { ["StripeEmulator:DeliveryConcurrency"] = "4" });
}
