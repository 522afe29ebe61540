namespace Ticketing.Load.Scenarios;

/// <summary>
/// The storefront page's rule for a buyer far from their turn (its
/// <c>restBeforeLook</c>): rest half the time to go at the on-sale's rate (a
/// rate twice as fast still finds the page looking by its turn), at most two
/// minutes, then look; within 20 s of the turn, long-poll.
/// </summary>
public static class PageRest
{
    private static readonly TimeSpan NearTurn = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(2);

    /// <summary>How long the page rests before it looks again; null when it long-polls.</summary>
    public static TimeSpan? BeforeLook(int position, int admitPerMinute)
    {
        var toTurn = TimeSpan.FromMinutes((position - 1) / (double)admitPerMinute);
        return toTurn < NearTurn ? null : toTurn / 2 < Longest ? toTurn / 2 : Longest;
    }
}
