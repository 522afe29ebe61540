namespace Ticketing.Load.Scenarios;

/// <summary>
/// The storefront page's rules for how it waits: for a buyer far from their
/// turn (its <c>restBeforeLook</c>), once the line has moved, or for a buyer
/// who joined after the opening, rest until 20 s before the turn at the
/// on-sale's rate, at most two minutes, then look (a rest shorter than 10 s
/// is not taken, and the page long-polls instead); and how long a poll waits
/// (its <c>pollSeconds</c>).
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

    /// <summary>The longest wait a page asks for.</summary>
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long a poll sent at <paramref name="now"/> asks to wait: 20 s,
    /// except that a poll sent before the opening ends at the page's own
    /// moment after it (<paramref name="afterOpening"/>) when that comes
    /// sooner, so that the room's pages hear their drawn places spread over
    /// the 20 s after the opening rather than all in the phase they joined in.
    /// </summary>
    public static int WaitSeconds(DateTimeOffset now, DateTimeOffset? opensAt, TimeSpan afterOpening)
    {
        var left = opensAt + afterOpening - now;
        return now < opensAt && left <= LongPoll ? (int)Math.Max(1, Math.Ceiling(left.Value.TotalSeconds)) : (int)LongPoll.TotalSeconds;
    }

    /// <summary>Whether the place was taken after the opening, so its estimate holds from the start.</summary>
    public static bool JoinedAfterOpening(DateTimeOffset? joinedAt, DateTimeOffset? opensAt) =>
        joinedAt is { } joined && opensAt is { } opens && joined >= opens + AfterOpening;
}
