using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Ticketing.Abstractions.Orders;
using Ticketing.Grains.Tiers;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// How long an order stays in memory: an unpaid one keeps its activation (and
/// its deadline timer) until the deadline, however idle; once it owes nothing
/// more it goes a few seconds later, without waiting for Orleans' idle-time
/// collection (two minutes), and a later call reads it back.
/// </summary>
public sealed class OrderActivationTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task UnpaidOrder_KeepsItsActivation_ForItsDeadline_WhenIdleOnesAreCollected()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 2500);
        var (orderId, _) = await App.Buyer("buyer-unpaid-kept").OrderAsync(tierId, 1);

        await CollectIdleActivations();

        Assert.Equal(1, await Activations(orderId));
    }

    [Fact]
    public async Task FulfilledOrder_StaysAMomentForTheBuyersPage_ThenGoes_AndIsReadBackWhenAskedFor()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 2500);
        var buyer = App.Buyer("buyer-let-go");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        var waiting = buyer.GetAsync($"/api/orders/{orderId}?waitWhile=awaiting_payment,paid&waitSeconds=20");
        App.Stripe.Control.Succeed(intentId);
        Assert.Equal("fulfilled", (await (await waiting).AssertJson(HttpStatusCode.OK)).GetProperty("status").GetString());
        var settled = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(1, await Activations(orderId));

        // The page's next reads (the order, its tickets) come at once: still in
        // memory a second later, then gone (the grace is five seconds), with no
        // collection asked for: Orleans' own would come after two idle minutes.
        Assert.Equal(0, await Eventually.Value(() => Activations(orderId), count => count == 0, TimeSpan.FromSeconds(20)));
        Assert.True(settled.Elapsed >= TimeSpan.FromSeconds(1), $"the order went {settled.Elapsed} after it was fulfilled");
        Assert.Equal("fulfilled", (await buyer.GetOrderAsync(orderId)).GetProperty("status").GetString());
        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
    }

    [Fact]
    public async Task WaitOutlastingTheSettledStatus_IsAnsweredWhenTheOrderGoes_NotAtItsTimeout()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 2500);
        var buyer = App.Buyer("buyer-waits-on");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 1);
        using var waits = new MetricCollector<long>(App.Services.GetRequiredService<IMeterFactory>(), TierMetrics.MeterName, "order_waits");
        // Waits through "fulfilled" too: left running, it would hold the deactivation (and the order's calls) for its 20 s.
        var started = System.Diagnostics.Stopwatch.StartNew();
        var waiting = buyer.GetAsync($"/api/orders/{orderId}?waitWhile=awaiting_payment,paid,fulfilled&waitSeconds=20");
        // The wait must be on the activation before it settles (one arriving after would meet an order read back
        // already fulfilled, and wait out its 20 s as asked).
        await waits.WaitForMeasurementsAsync(minCount: 1, TimeSpan.FromSeconds(20));
        App.Stripe.Control.Succeed(intentId);

        Assert.Equal("fulfilled", (await (await waiting).AssertJson(HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"the wait was answered after {started.Elapsed}, not when the order went");
        Assert.Equal(0, await Eventually.Value(() => Activations(orderId), count => count == 0, TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void DirectoryCache_KeepsRecentAddresses_NotEveryOrderEverCalled() =>
        // Orleans' default is a million, and the dashboard walks the cache every second.
        Assert.Equal(20_000, App.Services.GetRequiredService<IOptions<GrainDirectoryOptions>>().Value.CacheSize);

    private Task CollectIdleActivations() => App.Grains().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private Task<int> Activations(Guid orderId) =>
        App.Grains().GetGrain<IManagementGrain>(0).GetGrainActivationCount((GrainReference)App.Grains().GetGrain<IOrderGrain>(orderId));
}
