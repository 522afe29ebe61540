using Ticketing.Abstractions.OnSales;
using Ticketing.Domain.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// One buyer's tickets in one event against the on-sale's cap. No I/O and no
/// clock of its own: the grain passes in what the database says and the time.
/// What it counts is the last read plus what was granted since, so it can only
/// be too high, never too low: things end elsewhere (expiry, release,
/// cancellation, refund), but only holds add tickets, and every hold asks here
/// first. A claim that would go over the cap by that count is decided again on
/// a fresh read, which is also the only time a hold being replaced is left out.
/// </summary>
public sealed class BuyerAllowance
{
    /// <summary>
    /// How long a granted claim with no word from its tier and no row counts.
    /// Well past a grain call's time limit: a tier that said nothing by then
    /// has died, and any hold it did write has a row, counted from the read.
    /// </summary>
    public static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(1);

    private readonly Dictionary<Guid, Claim> claims = [];
    private readonly List<BuyerHold> placed = [];
    private BuyerTickets read;

    public BuyerAllowance(BuyerTickets read) => this.read = read;

    /// <summary>Tickets counted, replacements not left out: the last read, holds placed since, and claims not known to be written.</summary>
    public int Counted => read.Owed + read.Holds.Sum(h => h.Quantity) + placed.Sum(h => h.Quantity) + claims.Values.Sum(c => c.Quantity);

    /// <summary>The claims whose holds may or may not have a row: a read should say which have.</summary>
    public IReadOnlyCollection<Guid> Unwritten => claims.Keys;

    /// <summary>
    /// Grants a claim that fits without leaving anything out; false when it
    /// does not, and then only a fresh read (<see cref="ClaimAfterRead"/>) can tell.
    /// </summary>
    public bool TryClaim(Guid holdId, Guid tierId, int quantity, int cap, DateTimeOffset now)
    {
        if (Counted + quantity > cap)
        {
            return false;
        }

        claims[holdId] = new Claim(tierId, quantity, now, WriteFailed: false);
        return true;
    }

    /// <summary>
    /// Takes in a read made for this claim and decides on it. The buyer's live
    /// hold on the tier, which the new one replaces, is left out: the read says
    /// no order pays with it.
    /// </summary>
    public ClaimResult ClaimAfterRead(BuyerTickets fresh, Guid holdId, Guid tierId, int quantity, int cap, DateTimeOffset now)
    {
        Take(fresh, now);
        var counted = Counted - read.Holds.Where(h => h.TierId == tierId).Sum(h => h.Quantity);
        if (counted + quantity > cap)
        {
            return new ClaimResult(Granted: false, counted);
        }

        claims[holdId] = new Claim(tierId, quantity, now, WriteFailed: false);
        return new ClaimResult(Granted: true, counted);
    }

    /// <summary>
    /// Takes in what the database now says. Claims whose holds have a row are
    /// in it; a failed write's claim without a row never landed; a claim
    /// older than <see cref="ClaimLifetime"/> without a row never will.
    /// </summary>
    public void Take(BuyerTickets fresh, DateTimeOffset now)
    {
        read = fresh;
        placed.Clear();
        foreach (var (holdId, claim) in claims.ToArray())
        {
            if (fresh.Written.Contains(holdId) || claim.WriteFailed || now - claim.GrantedAt > ClaimLifetime)
            {
                claims.Remove(holdId);
            }
        }
    }

    /// <summary>What became of a claim's hold. A claim already taken in by a read is not counted again.</summary>
    public void Settle(Guid holdId, HoldFate fate)
    {
        if (!claims.TryGetValue(holdId, out var claim))
        {
            return;
        }

        switch (fate)
        {
            case HoldFate.Placed:
                // Counted as a hold until the next read (which has its row) replaces the count.
                claims.Remove(holdId);
                placed.Add(new BuyerHold(holdId, claim.TierId, claim.Quantity));
                break;
            case HoldFate.Refused:
                claims.Remove(holdId);
                break;
            case HoldFate.WriteFailed:
                claims[holdId] = claim with { WriteFailed = true };
                break;
        }
    }

    private sealed record Claim(Guid TierId, int Quantity, DateTimeOffset GrantedAt, bool WriteFailed);
}
