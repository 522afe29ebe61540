using Ticketing.Abstractions.OnSales;
using Ticketing.Abstractions.Tickets;
using Ticketing.Abstractions.Tiers;
using Ticketing.Testing;

namespace Ticketing.Grains.Tests;

/// <summary>References made with the grain type resolved once are the references Orleans makes, and reach the same activations.</summary>
public sealed class GrainReferencesTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Reference_IsTheReferenceOrleansMakes_ForGuidIntegerAndCompoundKeys()
    {
        var grains = fixture.App.Grains();
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity: 7);

        var tier = grains.Reference<ITicketTierGrain>(tierId);
        var gate = grains.Reference<IGateGrain>(3);
        var allowance = grains.Reference<IBuyerAllowanceGrain>(tierId, "buyer-7");

        Assert.Equal(grains.GetGrain<ITicketTierGrain>(tierId), tier);
        Assert.Equal(((GrainReference)grains.GetGrain<ITicketTierGrain>(tierId)).InterfaceType, ((GrainReference)tier).InterfaceType);
        Assert.Equal(grains.GetGrain<IGateGrain>(3).GetGrainId(), gate.GetGrainId());
        Assert.NotEqual(grains.Reference<ITicketTierGrain>(Guid.NewGuid()).GetGrainId(), tier.GetGrainId());
        Assert.Equal(grains.GetGrain<IBuyerAllowanceGrain>(tierId, "buyer-7").GetGrainId(), allowance.GetGrainId());
        Assert.Equal(((GrainReference)grains.GetGrain<IBuyerAllowanceGrain>(tierId, "buyer-7")).InterfaceType, ((GrainReference)allowance).InterfaceType);
        Assert.NotEqual(grains.Reference<IBuyerAllowanceGrain>(tierId, "buyer-8").GetGrainId(), allowance.GetGrainId());
        Assert.Equal(7, (await tier.GetTier()).Tier!.Capacity);
    }

    [Fact]
    public void Reference_IsTheReferenceOrleansMakes_ForAGuidAndNumberKey()
    {
        var grains = fixture.App.Grains();
        var onSaleId = Guid.NewGuid();

        var shard = grains.Reference<IQueueShardGrain>(onSaleId, 3);

        Assert.Equal(grains.GetGrain<IQueueShardGrain>(onSaleId, "3").GetGrainId(), shard.GetGrainId());
        Assert.Equal(((GrainReference)grains.GetGrain<IQueueShardGrain>(onSaleId, "3")).InterfaceType, ((GrainReference)shard).InterfaceType);
        Assert.NotEqual(grains.Reference<IQueueShardGrain>(onSaleId, 4).GetGrainId(), shard.GetGrainId());
    }
}
