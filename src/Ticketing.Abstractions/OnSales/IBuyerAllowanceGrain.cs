using Orleans.Concurrency;

namespace Ticketing.Abstractions.OnSales;

/// <summary>
/// One buyer's tickets in one event while its on-sale caps them: keyed by the
/// event id, with the buyer's id as the key extension. Not reentrant, so the
/// buyer's claims from every tier of the event are decided one at a time. It
/// never calls a tier.
/// </summary>
public interface IBuyerAllowanceGrain : IGrainWithGuidCompoundKey
{
    /// <summary>
    /// Asks to place hold <paramref name="holdId"/> of <paramref name="quantity"/>
    /// tickets on a tier, replacing the buyer's hold on that tier. Granted when
    /// the buyer's tickets in the event (live holds, unpaid orders, issued
    /// tickets) stay within <paramref name="maxPerBuyer"/>; a granted claim
    /// counts until it is settled or the hold's row is read.
    /// </summary>
    Task<ClaimResult> Claim(Guid holdId, Guid tierId, int quantity, int maxPerBuyer);

    /// <summary>
    /// Reads the buyer's tickets now unless they have been read, so that their
    /// first claim is decided without a read: asked as the buyer's turn in the
    /// waiting room nears.
    /// </summary>
    Task Prepare();

    /// <summary>What became of a granted claim's hold.</summary>
    [OneWay]
    Task Settle(Guid holdId, HoldFate fate);
}
