using Ticketing.Load.Scenarios;

namespace Ticketing.Load.Tests;

/// <summary>
/// The harness's pages rest as the storefront's page does: half the time to
/// their turn, at most two minutes, and they long-poll within 20 s of it.
/// </summary>
public sealed class PageRestTests
{
    [Theory]
    [InlineData(1, 12_000, null)]
    [InlineData(4_000, 12_000, null)] // 19.995 s to go
    [InlineData(4_001, 12_000, 10.0)] // 20 s to go
    [InlineData(20_001, 12_000, 50.0)]
    [InlineData(80_001, 12_000, 120.0)] // 400 s to go: the longest rest
    [InlineData(41, 60, 20.0)]
    public void BeforeLook_IsHalfTheTimeToTheTurn_AtMostTwoMinutes(int position, int admitPerMinute, double? restSeconds)
    {
        Assert.Equal(restSeconds, PageRest.BeforeLook(position, admitPerMinute)?.TotalSeconds);
    }
}
