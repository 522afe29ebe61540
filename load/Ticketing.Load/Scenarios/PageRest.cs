namespace Ticketing.Load.Scenarios;

/// <summary>
/// The storefront page's rule for a buyer far from their turn (its
/// <c>restBeforeLook</c>): once the line has moved, or for a buyer who
/// joined after the opening, rest until 20 s before the turn at the
/// on-sale's rate, at most two minutes, then look; a rest shorter than 10 s
/// is not taken, and the page long-polls instead.
/// </summary>
public static class PageRest
{
    /// <summary>A place taken this long after the opening is in arrival order, never drawn (the opening's first round draws the places taken until then).</summary>
    private static readonly TimeSpan AfterOpening = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan NearTurn = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Shortest = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Longest = TimeSpan.FromMinutes(2);

    /// <summary>How long the page rests before it looks again; null when it long-polls.</summary>
    public static TimeSpan? BeforeLook(int position, int admitPerMinute)
    {
        var rest = TimeSpan.FromMinutes((position - 1) / (double)admitPerMinute) - NearTurn;
        return rest < Shortest ? null : rest < Longest ? rest : Longest;
    }

    /// <summary>Whether the place was taken after the opening, so its estimate holds from the start.</summary>
    public static bool JoinedAfterOpening(DateTimeOffset? joinedAt, DateTimeOffset? opensAt) =>
        joinedAt is { } joined && opensAt is { } opens && joined >= opens + AfterOpening;
}
