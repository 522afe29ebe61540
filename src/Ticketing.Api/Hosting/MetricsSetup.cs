using OpenTelemetry.Metrics;
using Ticketing.Grains.Tiers;

namespace Ticketing.Api.Hosting;

internal static class MetricsSetup
{
    /// <summary>The product's meter and ASP.NET Core's request metrics, exported for Prometheus at /metrics.</summary>
    public static void AddTicketingMetrics(this WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(TierMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            // Hold cleanup's SLO is 30 s: buckets fine enough to read a p99 near it.
            .AddView("hold_expiry_lag", new ExplicitBucketHistogramConfiguration { Boundaries = [0.5, 1, 2, 5, 10, 15, 20, 25, 30, 45, 60, 120, 300] })
            .AddPrometheusExporter());

    public static void MapTicketingMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
