using Microsoft.Extensions.DependencyInjection;
using Ticketing.Abstractions.Tiers;

namespace Ticketing.Testing;

/// <summary>
/// Issues tickets the way the order saga will: an order row, a hold, and the
/// tier's confirm. Until orders exist as grains, the order row is written here.
/// </summary>
public static class Issuance
{
    public static IGrainFactory Grains(this TicketingApp app) => app.Services.GetRequiredService<IGrainFactory>();

    public static async Task<Guid> CreateOrderRowAsync(TicketingApp app, Guid tierId, string userId)
    {
        var orderId = Guid.CreateVersion7();
        await app.Database.ScalarAsync(
            """
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency)
            SELECT @order_id, event_id, @user_id, 'awaiting_payment', 0, currency FROM ticketing.ticket_tiers WHERE id = @tier_id
            """,
            ("order_id", orderId), ("user_id", userId), ("tier_id", tierId));
        return orderId;
    }

    /// <summary>Holds and confirms <paramref name="quantity"/> tickets for a fresh order; answers the order id.</summary>
    public static async Task<Guid> IssueAsync(TicketingApp app, Guid tierId, int quantity)
    {
        var userId = "issued-" + Guid.NewGuid().ToString("N")[..8];
        var orderId = await CreateOrderRowAsync(app, tierId, userId);
        var tier = app.Grains().GetGrain<ITicketTierGrain>(tierId);
        var hold = await tier.Reserve(userId, quantity);
        Assert.Equal(TierOutcome.Done, hold.Outcome);
        var confirmed = await tier.Confirm(hold.Hold!.Id, orderId, quantity);
        Assert.Equal(TierOutcome.Done, confirmed.Outcome);
        return orderId;
    }
}
