using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Ticketing.Api.Problems;

namespace Ticketing.Api.Limits;

/// <summary>
/// Rate limits with ASP.NET Core's rate limiter. A route opts in with one
/// line, <c>.RequireRateLimiting(RateLimits.Holds)</c> (or <see cref="Orders"/>,
/// <see cref="Queue"/>, <see cref="Scans"/>, <see cref="Anonymous"/>); a route
/// without it is never limited (the Stripe webhook, health, metrics, the
/// dashboard). Each caller has a token bucket per policy: a burst after a
/// quiet spell, then a steady rate, so a page's few calls at once pass and a
/// loop does not. Over it: 429 <c>rate-limited</c> with <c>Retry-After</c>,
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
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>()
            .Configure<IOptions<RateLimitOptions>, RateLimitMetrics>((limiter, limits, metrics) => Configure(limiter, limits.Value, metrics));
    }

    private static void Configure(RateLimiterOptions limiter, RateLimitOptions limits, RateLimitMetrics metrics)
    {
        foreach (var (policy, _, limit) in limits.Policies())
        {
            if (limit.PerMinute == 0)
            {
                limiter.AddPolicy(policy, _ => RateLimitPartition.GetNoLimiter(Caller.Everyone));
                continue;
            }

            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = limit.Burst,
                TokensPerPeriod = 1,
                ReplenishmentPeriod = limit.Refill,
                QueueLimit = 0,
                // The partitioned limiter refills every bucket from one timer.
                AutoReplenishment = false,
            };
            // One factory a policy, so that finding a caller's bucket allocates nothing but its key.
            Func<Caller, RateLimiter> create = _ => new TokenBucketRateLimiter(bucket);
            limiter.AddPolicy(policy, context => new RateLimitPartition<Caller>(Caller.Of(context), create));
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

    /// <summary>Whose bucket a request takes from: a user's (the token's <c>sub</c>) or a client address's.</summary>
    private readonly record struct Caller(bool IsAddress, string Id)
    {
        public static readonly Caller Everyone = new(true, "");

        /// <summary>
        /// The caller of an authenticated route is its user (authorization has
        /// run). An anonymous route's is its user too when the request carries
        /// a valid token, so that buyers behind one address (a venue's Wi-Fi,
        /// a carrier's NAT) do not share one bucket; otherwise its address.
        /// </summary>
        public static Caller Of(HttpContext context) =>
            context.User.FindFirst("sub")?.Value is { Length: > 0 } user
                ? new Caller(false, user)
                : new Caller(true, Address(context.Connection.RemoteIpAddress));

        /// <summary>An IPv4 address, or an IPv6 address's /64: one subscriber gets a whole /64 and could walk through it.</summary>
        private static string Address(IPAddress? address)
        {
            if (address is null)
            {
                return "unknown";
            }

            if (address.IsIPv4MappedToIPv6)
            {
                return address.MapToIPv4().ToString();
            }

            if (address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return address.ToString();
            }

            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return new IPAddress(bytes) + "/64";
        }
    }
}
