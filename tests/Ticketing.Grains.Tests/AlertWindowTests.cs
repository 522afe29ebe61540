using Ticketing.Grains.Operations;

namespace Ticketing.Grains.Tests;

/// <summary>
/// How far back the minute alert recounts orders against their tickets: short
/// in a rush (each order in the window costs the database), but never leaving
/// an order changed since the last evaluation that went through uncounted.
/// </summary>
public sealed class AlertWindowTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void OnTime_LooksBackTwoIntervals() =>
        Assert.Equal(TimeSpan.FromMinutes(2), AlertsGrain.ChangedWithin(Minute, Now - Minute, Now));

    [Fact]
    public void AfterMissedRuns_LooksBackToAnIntervalBeforeTheLastThatWentThrough() =>
        Assert.Equal(TimeSpan.FromMinutes(8), AlertsGrain.ChangedWithin(Minute, Now - TimeSpan.FromMinutes(7), Now));

    [Fact]
    public void FirstRunOfAnActivation_LooksBackAQuarterOfAnHour() =>
        Assert.Equal(TimeSpan.FromMinutes(15), AlertsGrain.ChangedWithin(Minute, null, Now));

    [Fact]
    public void LongIntervals_StillLookBackTwoOfThem() =>
        Assert.Equal(TimeSpan.FromHours(1), AlertsGrain.ChangedWithin(TimeSpan.FromMinutes(30), null, Now));
}
