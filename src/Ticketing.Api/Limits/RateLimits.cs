using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Ticketing.Api.Problems;

namespace Ticketing.Api.Limits;

/// <summary>
/// Rate limits with ASP.NET Core's rate limiter. A route opts in with one
/// line, <c>.RequireRateLimiting(RateLimits.Holds)</c> (or <see cref="Orders"/>,
/// <see cref="Queue"/>, <see cref="Scans"/>, <see cref="Anonymous"/>); a route
/// without it is never limited (the Stripe webhook, health, metrics, the
/// dashboard). Each caller has a token bucket per policy (<see cref="CallerBuckets"/>):
/// a burst after a quiet spell, then a steady rate, so a page's few calls at
/// once pass and a loop does not. Over it: 429 <c>rate-limited</c> with <c>Retry-After</c>,
/// answered before the request's body is read or anything is done.
/// </summary>
internal static class RateLimits
{
    /// <summary><c>/api/holds</c>, per user.</summary>
    public const string Holds = "holds";

    /// <summary><c>/api/orders</c>, per user.</summary>
    public const string Orders = "orders";

    /// <summary>The waiting room's <c>/api/events/{id}/queue</c>, per user.</summary>
    public const string Queue = "queue";

    /// <summary><c>/api/scans</c>, per scanner identity (one a device).</summary>
    public const string Scans = "scans";

    /// <summary>The catalogue anyone may read (events, tiers, on-sales), per client address.</summary>
    public const string Anonymous = "anonymous";

    public static void AddTicketingRateLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitOptions>()
            .Bind(builder.Configuration.GetSection(RateLimitOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<RateLimitMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CallerBuckets>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>, RateLimitMetrics, CallerBuckets>(
                (limiter, limits, metrics, buckets) => Configure(limiter, limits.Value, metrics, buckets));
    }

    private static void Configure(RateLimiterOptions limiter, RateLimitOptions limits, RateLimitMetrics metrics, CallerBuckets buckets)
    {
        // The buckets are ours (CallerBuckets): ASP.NET Core's per-caller partitions are all visited by a timer
        // every 100 ms, which a hot on-sale's waiting buyers turn into a core's work. Each policy stays a name
        // routes ask for, with nothing behind it.
        limiter.GlobalLimiter = buckets;
        foreach (var (policy, _, _) in limits.Policies())
        {
            var nothing = RateLimitPartition.GetNoLimiter(policy);
            limiter.AddPolicy(policy, _ => nothing);
        }

        limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        limiter.OnRejected = async (rejected, _) =>
        {
            var context = rejected.HttpContext;
            var policy = context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName ?? "";
            metrics.Rejected.Add(1, new KeyValuePair<string, object?>("policy", policy));
            var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await Problem.Of(StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests.",
                $"This caller sent more requests than its rate allows; nothing was done. Retry after {seconds} seconds.").ExecuteAsync(context);
        };
    }
}
