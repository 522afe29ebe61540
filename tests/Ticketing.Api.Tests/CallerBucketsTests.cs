using System.Security.Claims;
using System.Threading.RateLimiting;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Ticketing.Api.Limits;

namespace Ticketing.Api.Tests;

/// <summary>
/// The rate limits' buckets without a silo: on a clock the test moves, a
/// caller gets its burst, then a token a refill; concurrent requests on one
/// bucket get exactly its burst; the sweep forgets only buckets that are full.
/// </summary>
public sealed class CallerBucketsTests
{
    private const int Burst = 3;
    private static readonly TimeSpan Refill = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void AFreshBucket_GivesItsBurst_ThenRefusesWithOneRefillsWait()
    {
        var buckets = Buckets();

        Assert.Equal(Burst, Takes(buckets, "buyer-a", 10));

        using var refused = buckets.AttemptAcquire(Request(RateLimits.Holds, "buyer-a"));
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(Refill, retryAfter);
        // Another caller, and the same caller under another policy, have buckets of their own.
        Assert.Equal(Burst, Takes(buckets, "buyer-b", 10));
        Assert.True(buckets.AttemptAcquire(Request(RateLimits.Queue, "buyer-a")).IsAcquired);
    }

    [Fact]
    public void ABucket_EarnsATokenARefill_KeepsWhatIsShortOfOne_AndNeverHoldsMoreThanItsBurst()
    {
        var buckets = Buckets();
        Assert.Equal(Burst, Takes(buckets, "buyer", 10));

        clock.Advance(Refill * 1.5);
        Assert.Equal(1, Takes(buckets, "buyer", 10));
        clock.Advance(Refill * 0.5);
        Assert.Equal(1, Takes(buckets, "buyer", 10));
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(Burst, Takes(buckets, "buyer", 10));
    }

    [Fact]
    public void ARouteWithoutAPolicy_OrWithItsPolicyOff_IsNeverRefused_AndKeepsNoBucket()
    {
        var buckets = Buckets();

        Assert.Equal(100, Takes(buckets, "buyer", 100, policy: null));
        Assert.Equal(100, Takes(buckets, "buyer", 100, policy: RateLimits.Orders));
        Assert.Equal(0, buckets.Count);
    }

    [Fact]
    public async Task ConcurrentRequests_OnOneFreshBucket_GetExactlyItsBurst()
    {
        const int Requests = 64;
        const int Burst = 10;
        var buckets = Buckets(Burst);
        using var start = new Barrier(Requests);
        var granted = 0;

        await Task.WhenAll(Enumerable.Range(0, Requests).Select(_ => Dedicated(() =>
        {
            var request = Request(RateLimits.Holds, "racing-buyer");
            start.SignalAndWait();
            if (buckets.AttemptAcquire(request).IsAcquired)
            {
                Interlocked.Increment(ref granted);
            }
        }))).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(Burst, granted);
    }

    [Fact]
    public async Task ConcurrentRequests_WhileTheSweepRuns_GetExactlyEachBucketsBurst()
    {
        const int Threads = 8;
        const int Users = 10_000;
        var buckets = Buckets();
        using var start = new Barrier(Threads + 1);
        var taking = Threads;
        var granted = 0;

        // A fresh bucket is full until its first token is taken: the sweep may drop it under a request, which then
        // has to take from the bucket that replaces it, not from the dropped one.
        var sweep = Dedicated(() =>
        {
            start.SignalAndWait();
            while (Volatile.Read(ref taking) > 0)
            {
                buckets.Sweep();
            }
        });
        var requests = Enumerable.Range(0, Threads).Select(_ => Dedicated(() =>
        {
            start.SignalAndWait();
            for (var user = 0; user < Users; user++)
            {
                if (buckets.AttemptAcquire(Request(RateLimits.Holds, $"buyer-{user}")).IsAcquired)
                {
                    Interlocked.Increment(ref granted);
                }
            }

            Interlocked.Decrement(ref taking);
        }));
        await Task.WhenAll([sweep, .. requests]).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(Users * Burst, granted);
    }

    [Fact]
    public void TheSweep_DropsTheBucketsFullByNow_AndKeepsTheOthersWithTheirCount()
    {
        var buckets = Buckets();
        Assert.Equal(1, Takes(buckets, "refilled-buyer", 1));
        Assert.Equal(Burst, Takes(buckets, "emptied-buyer", Burst));
        clock.Advance(Refill);
        Assert.Equal(1, Takes(buckets, "recent-buyer", 1));
        Assert.Equal(3, buckets.Count);

        buckets.Sweep();

        // refilled-buyer's one token is back; emptied-buyer has one of three, recent-buyer two.
        Assert.Equal(2, buckets.Count);
        Assert.Equal(1, Takes(buckets, "emptied-buyer", 10));
        Assert.Equal(2, Takes(buckets, "recent-buyer", 10));
        Assert.Equal(Burst, Takes(buckets, "refilled-buyer", 10));
    }

    [Fact]
    public async Task TheSweep_RunsOnItsOwn_WhenARequestComesAfterAMinute()
    {
        var buckets = Buckets();
        for (var i = 0; i < 50; i++)
        {
            Takes(buckets, $"idle-buyer-{i}", 1);
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        Takes(buckets, "active-buyer", Burst);

        var waited = TimeSpan.Zero;
        while (buckets.Count != 1 && waited < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
            waited += TimeSpan.FromMilliseconds(20);
        }

        Assert.Equal(1, buckets.Count);
    }

    [Fact]
    public void RandomRequestsAndWaits_AgreeWithAContinuousModel() =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 5_000], (count, waitMilliseconds) => (Count: count, Wait: TimeSpan.FromMilliseconds(waitMilliseconds)))
            .Array[1, 60]
            .Sample(steps =>
            {
                var bucket = new TokenBucket(Burst, 0);
                var refill = Refill.Ticks;
                // The model: credit accrues continuously up to the burst, and a request spends a whole token of it.
                var credit = Burst * refill;
                var now = 0L;
                foreach (var (count, wait) in steps)
                {
                    now += wait.Ticks;
                    credit = Math.Min(Burst * refill, credit + wait.Ticks);
                    var expected = credit >= Math.Max(count, 1) * refill;
                    if (expected)
                    {
                        credit -= count * refill;
                    }

                    Assert.Equal(expected, bucket.TryTake(count, now, Burst, refill));
                    Assert.Equal(credit == Burst * refill, bucket.IsFull(now, Burst, refill));
                }
            }, iter: 2000);

    private static Task Dedicated(Action work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private CallerBuckets Buckets(int burst = Burst) => new(
        Options.Create(new RateLimitOptions
        {
            Holds = new() { PerMinute = (int)(TimeSpan.FromMinutes(1) / Refill), Burst = burst },
            Queue = new() { PerMinute = 30, Burst = burst },
            Orders = new() { PerMinute = 0, Burst = burst },
        }),
        clock);

    /// <summary>How many of <paramref name="requests"/> requests at this moment are let through.</summary>
    private static int Takes(CallerBuckets buckets, string user, int requests, string? policy = RateLimits.Holds) =>
        Enumerable.Range(0, requests).Count(_ =>
        {
            using var lease = buckets.AttemptAcquire(Request(policy, user));
            return lease.IsAcquired;
        });

    private static DefaultHttpContext Request(string? policy, string user)
    {
        var context = new DefaultHttpContext { User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", user)], "test")) };
        context.SetEndpoint(new Endpoint(
            null,
            policy is null ? EndpointMetadataCollection.Empty : new EndpointMetadataCollection(new EnableRateLimitingAttribute(policy)),
            "test"));
        return context;
    }
}
