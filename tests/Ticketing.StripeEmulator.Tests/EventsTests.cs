using System.Net;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

public sealed class EventsTests : EmulatorTest
{
    [Fact]
    public async Task ListEvents_ReturnsNewestFirstInStripesListShape()
    {
        var intent = await CreateIntentAsync();
        Control.Succeed(intent.Id);

        var events = await Events.ListAsync();

        Assert.Equal(
            ["payment_intent.succeeded", "charge.succeeded", "payment_intent.created"],
            events.Data.Select(e => e.Type));
        Assert.False(events.HasMore);
        Assert.Equal("/v1/events", events.Url);
        Assert.Equal(intent.Id, ((PaymentIntent)events.Data[0].Data.Object).Id);
    }

    [Fact]
    public async Task ListEvents_WithLimitAndStartingAfter_Pages()
    {
        for (var i = 0; i < 5; i++)
        {
            await CreateIntentAsync(orderId: $"page-{i}");
        }

        var first = await Events.ListAsync(new EventListOptions { Limit = 2 });
        var second = await Events.ListAsync(new EventListOptions { Limit = 2, StartingAfter = first.Data[^1].Id });
        var last = await Events.ListAsync(new EventListOptions { Limit = 2, StartingAfter = second.Data[^1].Id });

        Assert.True(first.HasMore);
        Assert.True(second.HasMore);
        Assert.False(last.HasMore);
        var orders = first.Data.Concat(second.Data).Concat(last.Data).Select(e => ((PaymentIntent)e.Data.Object).Metadata["order_id"]);
        Assert.Equal(["page-4", "page-3", "page-2", "page-1", "page-0"], orders);
    }

    [Fact]
    public async Task ListEvents_AutoPaging_VisitsEveryEvent()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateIntentAsync();
        }

        var all = new List<Event>();
        await foreach (var stripeEvent in Events.ListAutoPagingAsync(new EventListOptions { Limit = 1 }))
        {
            all.Add(stripeEvent);
        }

        Assert.Equal(3, all.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public async Task ListEvents_WithType_ReturnsOnlyThatType()
    {
        var intent = await CreateIntentAsync();
        Control.Succeed(intent.Id);

        var charges = await Events.ListAsync(new EventListOptions { Type = "charge.succeeded" });
        var paymentIntents = await Events.ListAsync(new EventListOptions { Type = "payment_intent.*" });

        Assert.Equal("charge.succeeded", Assert.Single(charges.Data).Type);
        Assert.Equal(["payment_intent.succeeded", "payment_intent.created"], paymentIntents.Data.Select(e => e.Type));
    }

    [Fact]
    public async Task ListEvents_WithLimitOutOfRange_Returns400()
    {
        var refused = await RefusedAsync(() => Events.ListAsync(new EventListOptions { Limit = 101 }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("limit", refused.StripeError.Param);
    }

    [Fact]
    public async Task GetEvent_ReturnsItAndUnknownIs404()
    {
        var intent = await CreateIntentAsync();
        var created = Control.Events.Single();

        var fetched = await Events.GetAsync(created.Id);
        var refused = await RefusedAsync(() => Events.GetAsync("evt_doesnotexist"));

        Assert.Equal("payment_intent.created", fetched.Type);
        Assert.Equal(intent.Id, ((PaymentIntent)fetched.Data.Object).Id);
        Assert.Equal(HttpStatusCode.NotFound, refused.HttpStatusCode);
        Assert.Equal("resource_missing", refused.StripeError.Code);
    }
}
