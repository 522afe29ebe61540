using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Ticketing.Grains.Tiers;

namespace Ticketing.Api.Hosting;

internal static class MetricsSetup
{
    /// <summary>ASP.NET Core's meter of <c>http.server.request.duration</c>, which the SLO rules read.</summary>
    private const string AspNetCoreHosting = "Microsoft.AspNetCore.Hosting";

    /// <summary>The .NET runtime's own meter: GC, heap, thread pool, exceptions.</summary>
    private const string DotNetRuntime = "System.Runtime";

    /// <summary>Orleans' meter: messaging, activations, membership.</summary>
    private const string Orleans = "Microsoft.Orleans";

    /// <summary>The name every series carries (<c>target_info</c>'s <c>service_name</c>).</summary>
    public const string ServiceName = "ticketing-api";

    /// <summary>
    /// The product's meter, ASP.NET Core's request duration, the runtime's and
    /// Orleans' meters, exported for Prometheus at /metrics. Only the hosting
    /// meter of ASP.NET Core: its routing, authentication, authorization and
    /// Kestrel meters record on every request too once listened to, and no
    /// rule or dashboard reads them.
    /// </summary>
    public static void AddTicketingMetrics(this WebApplicationBuilder builder) =>
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
            .AddMeter(TierMetrics.MeterName)
            .AddMeter(AspNetCoreHosting)
            .AddMeter(DotNetRuntime)
            .AddMeter(Orleans)
            // Hold cleanup's SLO is 30 s: buckets fine enough to read a p99 near it.
            .AddView("hold_expiry_lag", new ExplicitBucketHistogramConfiguration { Boundaries = [0.5, 1, 2, 5, 10, 15, 20, 25, 30, 45, 60, 120, 300] })
            .AddPrometheusExporter());

    // For Prometheus, not API clients: kept out of the API reference.
    public static void MapTicketingMetrics(this WebApplication app) => app.MapPrometheusScrapingEndpoint("/metrics").ExcludeFromDescription();
}
