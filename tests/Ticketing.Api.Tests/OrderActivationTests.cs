using System.Net;
using Ticketing.Abstractions.Orders;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// An order that settles lets go of its activation: a sale keeps in memory the
/// orders still in progress, not every order of the last quarter of an hour
/// (Orleans' default idle time). What it is, is stored; a later call reads it
/// back, and that activation goes when idle (a cancelled or expired order is
/// read back at once by its own payment_intent.canceled webhook).
/// </summary>
public sealed class OrderActivationTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task FulfilledOrder_LetsGoOfItsActivation_AndIsReadBackWhenAskedFor()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 2500);
        var buyer = App.Buyer("buyer-let-go");

        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        var waiting = buyer.GetAsync($"/api/orders/{orderId}?waitWhile=awaiting_payment,paid&waitSeconds=20");

        App.Stripe.Control.Succeed(intentId);

        Assert.Equal("fulfilled", (await (await waiting).AssertJson(HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal(0, await Eventually.Value(() => Activations(orderId), count => count == 0, TimeSpan.FromSeconds(20)));
        var order = await buyer.GetOrderAsync(orderId);
        Assert.Equal("fulfilled", order.GetProperty("status").GetString());
        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
        Assert.Equal(1, await Activations(orderId));
    }

    [Fact]
    public async Task SettledOrder_ReadBack_StaysForItsIdleTime_SoRepeatedCallsDoNotChurnIt()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 2500);
        var buyer = App.Buyer("buyer-read-back");
        var orderId = await App.PaidOrderAsync(buyer, tierId, 1);
        await App.Grains().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        await Eventually.Value(() => Activations(orderId), count => count == 0, TimeSpan.FromSeconds(20));

        await App.Grains().GetGrain<IOrderGrain>(orderId).Resume();

        Assert.Equal(1, await Activations(orderId));
    }

    [Fact]
    public async Task UnpaidOrder_KeepsItsActivation_ForItsDeadline_EvenWhenIdleOnesAreCollected()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 2500);
        var (orderId, _) = await App.Buyer("buyer-unpaid-kept").OrderAsync(tierId, 1);

        await App.Grains().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

        Assert.Equal(1, await Activations(orderId));
        var response = await App.Buyer("buyer-unpaid-kept").GetAsync($"/api/orders/{orderId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task<int> Activations(Guid orderId) =>
        App.Grains().GetGrain<IManagementGrain>(0).GetGrainActivationCount((GrainReference)App.Grains().GetGrain<IOrderGrain>(orderId));
}
