using Ticketing.Abstractions.OnSales;
using Ticketing.Domain.OnSales;
using Ticketing.Persistence.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// One buyer's allowance in one event (<see cref="BuyerAllowance"/> decides).
/// The buyer's holds racing on several tiers are claimed here one after the
/// other. Not reentrant: a read is taken in before any later claim or
/// settlement, so it never replaces the count of a hold placed after it was
/// made. It reads the database once, on the first claim or before it when
/// the waiting room says the buyer's turn is near, and again before refusing
/// one, and calls no grain. A buyer's allowance is needed for the few minutes of their
/// checkout, and rebuilt from one read after: an idle one goes soon.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class BuyerAllowanceGrain(BuyerTicketStore store, TimeProvider clock) : Grain, IBuyerAllowanceGrain
{
    private BuyerAllowance? allowance;

    private DateTimeOffset Now => clock.GetUtcNow();

    public async Task<ClaimResult> Claim(Guid holdId, Guid tierId, int quantity, int maxPerBuyer)
    {
        if (allowance?.TryClaim(holdId, tierId, quantity, maxPerBuyer, Now) == true)
        {
            KeepWhileClaimed();
            return new ClaimResult(Granted: true, allowance.Counted - quantity);
        }

        var fresh = await Read();
        allowance ??= new BuyerAllowance(fresh);
        var result = allowance.ClaimAfterRead(fresh, holdId, tierId, quantity, maxPerBuyer, Now);
        if (result.Granted)
        {
            KeepWhileClaimed();
        }

        return result;
    }

    public async Task Prepare()
    {
        // Only holds add tickets, and each claims here first: a count read now can only be too high when the claim comes.
        allowance ??= new BuyerAllowance(await Read());
    }

    public Task Settle(Guid holdId, HoldFate fate)
    {
        // A new activation knows no claims: it counts their holds from their rows.
        allowance?.Settle(holdId, fate);
        return Task.CompletedTask;
    }

    private Task<BuyerTickets> Read()
    {
        var eventId = this.GetPrimaryKey(out var userId);
        return store.ReadAsync(eventId, userId!, Now, allowance?.Unwritten ?? [], CancellationToken.None);
    }

    /// <summary>A claim not yet written is known only here: the activation must outlive it.</summary>
    private void KeepWhileClaimed() => DelayDeactivation(BuyerAllowance.ClaimLifetime);
}
