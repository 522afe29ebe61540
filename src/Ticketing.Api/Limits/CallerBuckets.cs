using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Ticketing.Api.Limits;

/// <summary>
/// Every caller's token bucket for each rate limit, as ASP.NET Core's global
/// limiter: a request takes a token from its caller's bucket for its route's
/// policy (<see cref="RateLimits"/>), in one lookup. Buckets are refilled when
/// counted (<see cref="TokenBucket"/>) and a sweep about once a minute drops
/// the full ones, so a caller who waits costs no time and, after the sweep, no
/// memory: a silo with a million buyers waiting does no work for them.
/// </summary>
internal sealed class CallerBuckets : PartitionedRateLimiter<HttpContext>
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly TimeProvider clock;
    private readonly FrozenDictionary<string, Policy> policies;
    private readonly long sweepInterval;
    private long nextSweep;

    public CallerBuckets(IOptions<RateLimitOptions> options, TimeProvider clock)
    {
        this.clock = clock;
        policies = options.Value.Policies()
            .Where(policy => policy.Limit.PerMinute > 0)
            .ToFrozenDictionary(policy => policy.Policy, policy => new Policy(policy.Limit, Timestamps(policy.Limit.Refill)));
        sweepInterval = Timestamps(SweepInterval);
        nextSweep = clock.GetTimestamp() + sweepInterval;
    }

    /// <summary>The buckets kept now, over all policies.</summary>
    internal int Count => policies.Values.Sum(policy => policy.Buckets.Count);

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    /// <summary>Drops the buckets that are full by now; a bucket some tokens short stays, with its count.</summary>
    internal void Sweep()
    {
        var now = clock.GetTimestamp();
        foreach (var policy in policies.Values)
        {
            policy.Sweep(now);
        }
    }

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        var name = resource.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;
        if (name is null || !policies.TryGetValue(name, out var policy))
        {
            return Lease.Acquired;
        }

        var now = clock.GetTimestamp();
        SweepWhenDue(now);
        return policy.TryTake(Caller.Of(resource), permitCount, now) ? Lease.Acquired : policy.Refused;
    }

    // No queue: the middleware asks here only after a refusal, and the answer is the same refusal unless a token just came back.
    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    private long Timestamps(TimeSpan span) => Math.Max(1, (long)Math.Round(span.TotalSeconds * clock.TimestampFrequency));

    /// <summary>The sweep rides on requests, off their thread: no timer, and without requests nothing grows.</summary>
    private void SweepWhenDue(long now)
    {
        var due = Volatile.Read(ref nextSweep);
        if (now >= due && Interlocked.CompareExchange(ref nextSweep, now + sweepInterval, due) == due)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static buckets => buckets.Sweep(), this, preferLocal: false);
        }
    }

    /// <summary>One policy's limit and its callers' buckets.</summary>
    private sealed class Policy(RateLimit limit, long refill)
    {
        private readonly int burst = limit.Burst;

        public ConcurrentDictionary<Caller, TokenBucket> Buckets { get; } = new();

        /// <summary>
        /// One token's time: a caller that waits it has a token back, and is
        /// told so whatever part of it has already passed.
        /// </summary>
        public RateLimitLease Refused { get; } = new Lease(false, limit.Refill);

        public bool TryTake(Caller caller, int count, long now)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(count, burst);
            while (true)
            {
                var bucket = Buckets.GetOrAdd(caller, static (_, fresh) => new TokenBucket(fresh.Tokens, fresh.Now), (Tokens: burst, Now: now));
                lock (bucket)
                {
                    // A bucket the sweep dropped after we found it is out of the dictionary: take from its successor.
                    if (!bucket.Dropped)
                    {
                        return bucket.TryTake(count, now, burst, refill);
                    }
                }
            }
        }

        public void Sweep(long now)
        {
            foreach (var (caller, bucket) in Buckets)
            {
                lock (bucket)
                {
                    if (bucket.IsFull(now, burst, refill))
                    {
                        bucket.Dropped = true;
                        Buckets.TryRemove(KeyValuePair.Create(caller, bucket));
                    }
                }
            }
        }
    }

    /// <summary>A lease holds nothing to give back (a token bucket's tokens are spent), so each kind is one shared instance.</summary>
    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name ? wait : null;
            return metadata is not null;
        }
    }
}
