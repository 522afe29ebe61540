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
            .AddPrometheusExporter());

    public static void MapTicketingMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics");
}
