namespace Ticketing.Load.Scenarios;

/// <summary>
/// The storefront page's rule for a buyer far from their turn (its
/// <c>restBeforeLook</c>): rest until 20 s before the turn at the on-sale's
/// rate, at most two minutes, then look; a rest shorter than 10 s is
/// not taken, and the page long-polls instead.
/// </summary>
public static class PageRest
{
    private static readonly TimeSpan NearTurn = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(2);

    /// <summary>How long the page rests before it looks again; null when it long-polls.</summary>
    public static TimeSpan? BeforeLook(int position, int admitPerMinute)
    {
        var rest = TimeSpan.FromMinutes((position - 1) / (double)admitPerMinute) - NearTurn;
        return rest < Shortest ? null : rest < Longest ? rest : Longest;
    }
}
