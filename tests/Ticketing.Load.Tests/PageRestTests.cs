using Ticketing.Load.Scenarios;

namespace Ticketing.Load.Tests;

/// <summary>
/// The harness's pages rest as the storefront's page does: until 20 s
/// before their turn, at least 10 s and at most two minutes, and otherwise
/// they long-poll; the poll that reaches past the opening ends at the page's
/// own moment after it.
/// </summary>
public sealed class PageRestTests
{
    [Theory]
    [InlineData(1, 12_000, null)]
    [InlineData(4_001, 12_000, null)] // 20 s to go: long-poll
    [InlineData(5_999, 12_000, null)] // just under 30 s to go: a rest under 10 s is not taken
    [InlineData(6_001, 12_000, 10.0)]
    [InlineData(20_001, 12_000, 80.0)]
    [InlineData(80_001, 12_000, 120.0)] // 400 s to go: the longest rest
    [InlineData(61, 60, 40.0)]
    public void BeforeLook_IsUntil20SecondsBeforeTheTurn_From10SecondsToTwoMinutes(int position, int admitPerMinute, double? restSeconds)
    {
        Assert.Equal(restSeconds, WaitingPagesRest(position, admitPerMinute));
    }

    private static double? WaitingPagesRest(int position, int admitPerMinute) =>
        PageRest.BeforeLook(position, admitPerMinute)?.TotalSeconds is { } seconds ? Math.Round(seconds, 6) : null;

    [Theory]
    [InlineData(1.0, false)] // in the opening's first round: drawn with the early places
    [InlineData(2.0, true)]
    [InlineData(-30.0, false)]
    public void AJoinAfterTheOpening_CountsAsTheLineMoved_OnlyPastItsFirstRound(double secondsAfterOpening, bool after)
    {
        var opensAt = new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

        Assert.Equal(after, PageRest.JoinedAfterOpening(opensAt.AddSeconds(secondsAfterOpening), opensAt));
        Assert.False(PageRest.JoinedAfterOpening(null, opensAt));
        Assert.False(PageRest.JoinedAfterOpening(opensAt.AddMinutes(1), null));
    }

    [Theory]
    [InlineData(-60.0, 7.0, 20)] // long before the opening: a whole wait
    [InlineData(-10.0, 7.0, 17)] // reaches past the opening: ends at the page's moment, 7 s after it
    [InlineData(-15.0, 7.0, 20)] // its moment is more than a wait away: the next poll gets there
    [InlineData(-0.5, 2.0, 3)] // rounded up to whole seconds
    [InlineData(0.0, 7.0, 20)] // sent at or after the opening: a whole wait
    [InlineData(3.0, 7.0, 20)]
    public void APollReachingPastTheOpening_EndsAtThePagesOwnMomentAfterIt(double secondsToOpening, double afterOpening, int waitSeconds)
    {
        var opensAt = new DateTimeOffset(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

        Assert.Equal(waitSeconds, PageRest.WaitSeconds(opensAt.AddSeconds(secondsToOpening), opensAt, TimeSpan.FromSeconds(afterOpening)));
        Assert.Equal(20, PageRest.WaitSeconds(opensAt.AddSeconds(secondsToOpening), null, TimeSpan.FromSeconds(afterOpening)));
    }
}
