using System.Diagnostics.Metrics;
using Ticketing.Grains.Tiers;

namespace Ticketing.Api.Limits;

/// <summary>Requests refused by a rate limit, on the product's meter: counted only when refused, so an accepted request costs nothing.</summary>
internal sealed class RateLimitMetrics(IMeterFactory meters)
{
    public Counter<long> Rejected { get; } = meters.Create(TierMetrics.MeterName)
        .CreateCounter<long>("rate_limited_requests", "{request}", "Requests refused with 429 by a rate limit, by policy.");
}
