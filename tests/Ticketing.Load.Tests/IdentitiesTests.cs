using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Ticketing.Load.Tests;

/// <summary>
/// The identities the virtual users take turns as: one is never taken again
/// before it rested, a new one is made when none has, and a rested one is
/// taken before a new one is made.
/// </summary>
public sealed class IdentitiesTests
{
    private static readonly TimeSpan Rest = TimeSpan.FromSeconds(2);

    [Fact]
    public void AnIdentity_IsTakenAgainOnlyOnceItRested()
    {
        var clock = new FakeTimeProvider();
        var identities = new Identities<string>(Rest, n => $"buyer-{n}", clock);

        var first = identities.Take();
        identities.GiveBack(first);
        var second = identities.Take();
        identities.GiveBack(second);
        clock.Advance(Rest - TimeSpan.FromMilliseconds(1));
        var third = identities.Take();
        identities.GiveBack(third);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal("buyer-0 buyer-1 buyer-2", string.Join(" ", first, second, third));
        Assert.Equal("buyer-0", identities.Take());
        Assert.Equal("buyer-1", identities.Take());
        Assert.Equal("buyer-3", identities.Take()); // buyer-2 rests 1 ms more
        Assert.Equal(4, identities.Count);
    }

    [Fact]
    public void Rest_CountsFromTheEndOfAStep_NotItsStart()
    {
        var clock = new FakeTimeProvider();
        var identities = new Identities<string>(Rest, n => $"buyer-{n}", clock);

        var buyer = identities.Take();
        clock.Advance(TimeSpan.FromSeconds(5)); // a slow step
        identities.GiveBack(buyer);
        clock.Advance(Rest - TimeSpan.FromMilliseconds(1));

        Assert.NotEqual(buyer, identities.Take());
    }

    [Fact]
    public async Task ManyUsersRacing_NeverUseAnIdentityBeforeItRested()
    {
        var rest = TimeSpan.FromMilliseconds(30);
        var identities = new Identities<int>(rest, n => n);
        var uses = new ConcurrentDictionary<int, ConcurrentQueue<(long Start, long End)>>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var step = 0; step < 200; step++)
            {
                await identities.RunAsync(async identity =>
                {
                    var start = Stopwatch.GetTimestamp();
                    await Task.Delay(1);
                    uses.GetOrAdd(identity, _ => new()).Enqueue((start, Stopwatch.GetTimestamp()));
                    return 0;
                });
            }
        })));

        var restTicks = (long)(rest.TotalSeconds * Stopwatch.Frequency);
        var early = uses.Values
            .SelectMany(steps => steps.OrderBy(s => s.Start).Zip(steps.OrderBy(s => s.Start).Skip(1)))
            .Count(pair => pair.Second.Start < pair.First.End + restTicks);
        Assert.Equal(0, early);
        Assert.Equal(16 * 200, uses.Values.Sum(steps => steps.Count));
        Assert.True(uses.Keys.Count > 16, "no identity was taken again: the pool only grew");
        Assert.True(uses.Values.Any(steps => steps.Count > 1), "no identity was reused");
    }

    [Fact]
    public void Rest_CoversEveryRequestOfAStep_UnderItsLimit()
    {
        Assert.Equal(TimeSpan.FromSeconds(2.2), SiloLimits.Rest((SiloLimits.Holds, 1)));
        // A purchase: one hold (2 s) and three order requests (1 s each).
        Assert.Equal(TimeSpan.FromSeconds(3.3), SiloLimits.Rest((SiloLimits.Holds, 1), (SiloLimits.Orders, 3)));
    }
}
