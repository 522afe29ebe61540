using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.StripeEmulator.Webhooks;

namespace Ticketing.StripeEmulator.Tests;

public sealed class DeliveryControlTests : EmulatorTest
{
    [Fact]
    public async Task Duplicate_SendsEachEventThatManyExtraTimes()
    {
        Control.ConfigureDelivery(new DeliverySettings(Duplicate: 2));

        var intent = await CreateIntentAsync();

        await Receiver.WaitForAsync(all => all.Count(r => r.ObjectId == intent.Id) == 3);
        var copies = Receiver.EventsOf("payment_intent.created");
        Assert.Equal(3, copies.Count);
        Assert.Single(copies.Select(e => e.Id).Distinct());
        var created = Control.Events.Single(e => e.Type == "payment_intent.created");
        // The receiver can see the last copy before the emulator has logged its attempt.
        var attempts = await Control.WaitForDeliveriesAsync(all => all.Count(a => a.EventId == created.Id) >= 3);
        Assert.Equal(3, attempts.Where(a => a.EventId == created.Id).Select(a => a.DeliveryId).Distinct().Count());
    }

    [Fact]
    public async Task Reorder_HoldsEventsAndFlushDeliversTheBatchNewestFirst()
    {
        Control.ConfigureDelivery(new DeliverySettings(Reorder: true));
        var intent = await CreateIntentAsync();
        Control.Succeed(intent.Id);
        // Whatever was not held has been attempted once the dispatcher is idle.
        await Control.WaitForIdleAsync();
        Assert.Empty(Control.Deliveries);
        Assert.Empty(Receiver.Received);

        var released = Control.Flush();

        Assert.Equal(3, released);
        var received = await Receiver.WaitForAsync(all => all.Count == 3);
        Assert.Equal(
            ["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"],
            received.Select(r => r.Event.Type));
    }

    [Fact]
    public async Task Paused_HoldsDeliveriesUntilUnpaused()
    {
        Control.ConfigureDelivery(new DeliverySettings(Paused: true));
        var intent = await CreateIntentAsync();
        await Control.WaitForIdleAsync();
        Assert.Empty(Receiver.Received);
        Assert.Empty(Control.Deliveries);

        Control.ConfigureDelivery(DeliverySettings.Normal);

        await Receiver.WaitForEventAsync("payment_intent.created", intent.Id);
    }

    [Fact]
    public async Task DelayMs_DelaysEachAttempt()
    {
        Control.ConfigureDelivery(new DeliverySettings(DelayMs: 300));
        var started = DateTimeOffset.UtcNow;

        var intent = await CreateIntentAsync();

        await Receiver.WaitForEventAsync("payment_intent.created", intent.Id);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task Resend_DeliversTheSameEventAgain()
    {
        var intent = await CreateIntentAsync();
        var delivered = await Control.WaitForDeliveredAsync("payment_intent.created", intent.Id);

        Control.Resend(delivered.Id);

        await Receiver.WaitForAsync(all => all.Count(r => r.Event.Id == delivered.Id) == 2);
    }

    [Fact]
    public async Task Controls_OverHttp_PauseFlushResendAndSucceed()
    {
        var control = Host.CreateClient();
        var paused = await control.PostAsJsonAsync(new Uri("/_emulator/delivery", UriKind.Relative), new { paused = true, reorder = true });
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.True((await control.GetFromJsonAsync<JsonElement>(new Uri("/_emulator/delivery", UriKind.Relative))).GetProperty("paused").GetBoolean());

        var intent = await CreateIntentAsync();
        var succeeded = await control.PostAsync(new Uri($"/_emulator/payment_intents/{intent.Id}/succeed", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, succeeded.StatusCode);
        using (var body = JsonDocument.Parse(await succeeded.Content.ReadAsStringAsync()))
        {
            Assert.Equal("succeeded", body.RootElement.GetProperty("status").GetString());
        }

        var flushed = await control.PostAsync(new Uri("/_emulator/flush", UriKind.Relative), null);
        Assert.Equal(3, (await flushed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("released").GetInt32());
        await Receiver.WaitForAsync(all => all.Count == 3);
        Assert.Equal("payment_intent.created", Receiver.Received[^1].Event.Type);

        await control.PostAsJsonAsync(new Uri("/_emulator/delivery", UriKind.Relative), new { });
        var created = Receiver.Received[^1].Event.Id;
        var resent = await control.PostAsync(new Uri($"/_emulator/events/{created}/resend", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        await Receiver.WaitForAsync(all => all.Count(r => r.Event.Id == created) == 2);
    }

    [Fact]
    public async Task ConfigureDelivery_WithNegativeDuplicate_Returns400()
    {
        var response = await Host.CreateClient().PostAsJsonAsync(new Uri("/_emulator/delivery", UriKind.Relative), new { duplicate = -1 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(DeliverySettings.Normal, Control.Delivery);
    }
}
