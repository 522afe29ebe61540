using System.Net;
using Orleans.Configuration;
using Orleans.Dashboard;
using Ticketing.Api.Auth;
using Ticketing.Grains.OnSales;
using Ticketing.Grains.Operations;
using Ticketing.Grains.Tickets;
using Ticketing.Grains.Tiers;

namespace Ticketing.Api.Hosting;

internal static class SiloSetup
{
    private const string Invariant = "Npgsql";

    /// <summary>Addresses the silo's directory cache keeps (Orleans' default is a million).</summary>
    private const int DirectoryCacheSize = 20_000;

    /// <summary>Co-hosts an Orleans silo whose membership, reminders and grain storage live in PostgreSQL.</summary>
    public static void AddTicketingSilo(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connectionString = DatabaseSetup.ConnectionString(configuration);
        builder.Services.Configure<HoldOptions>(configuration.GetSection(HoldOptions.Section));
        builder.Services.AddSingleton<TierMetrics>();
        // Every silo must sign passes alike: without a key of their own they
        // share one derived from a secret all silos already have.
        builder.Services.Configure<PassOptions>(passes => passes.PassKey =
            configuration[SettingKeys.OnSalesPassKey] is { Length: > 0 } passKey ? passKey
            : configuration[SettingKeys.AuthSigningKey] is { Length: > 0 } signingKey ? signingKey
            : configuration[SettingKeys.StripeWebhookSecret]);
        builder.Services.AddSingleton<AdmissionPasses>();
        builder.Services.Configure<QueueOptions>(configuration.GetSection(QueueOptions.Section));
        builder.Services.AddSingleton<QueueWatch>();
        builder.Services.AddSingleton<OnSaleRulesCache>();
        builder.Services.AddSingleton<ScanMetrics>();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = configuration[SettingKeys.ClusterId] ?? "ticketing";
                cluster.ServiceId = configuration[SettingKeys.ServiceId] ?? "ticketing";
            });
            var advertised = configuration[SettingKeys.AdvertisedIPAddress] is { Length: > 0 } address
                ? IPAddress.Parse(address)
                : IPAddress.Loopback;
            var siloPort = configuration.GetValue(SettingKeys.SiloPort, EndpointOptions.DEFAULT_SILO_PORT);
            // No part of the product is an Orleans client, and a client at the
            // gateway may call any grain: 0, Orleans' "no gateway", unless asked for.
            var gatewayPort = configuration.GetValue(SettingKeys.GatewayPort, 0);
            silo.Configure<EndpointOptions>(endpoints =>
            {
                endpoints.AdvertisedIPAddress = advertised;
                endpoints.SiloPort = siloPort;
                endpoints.GatewayPort = gatewayPort;
                // Set outright: Orleans also reads listening endpoints from its
                // configuration section, and these ports are for the advertised address only.
                endpoints.SiloListeningEndpoint = new IPEndPoint(advertised, siloPort);
                endpoints.GatewayListeningEndpoint = gatewayPort == 0 ? null : new IPEndPoint(advertised, gatewayPort);
            });
            silo.AddSiloTls(configuration, advertised);
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            });
            // How fast a silo that stopped answering is declared dead, so
            // its grains come back elsewhere (Orleans' defaults unless set).
            silo.Configure<ClusterMembershipOptions>(configuration.GetSection(SettingKeys.MembershipSection));
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            });
            // Opaque-blob storage, only for state no invariant depends on:
            // tiers and orders keep their own relational tables.
            silo.AddAdoNetGrainStorageAsDefault(options =>
            {
                options.Invariant = Invariant;
                options.ConnectionString = connectionString;
            });
            // Orleans refuses reminders under a minute unless told otherwise.
            var wakeUp = configuration.GetSection(HoldOptions.Section).Get<HoldOptions>()?.WakeUp ?? TimeSpan.FromMinutes(1);
            silo.Configure<ReminderOptions>(reminders => reminders.MinimumReminderPeriod = TimeSpan.FromTicks(Math.Min(wakeUp.Ticks, reminders.MinimumReminderPeriod.Ticks)));
            // The directory cache keeps an address for every grain this silo
            // reached (every order, for Orleans' default of a million), and the
            // dashboard's gauge of its size walks it once a second
            // (docs/performance.md). Tiers and the orders in progress are what
            // calls go to again.
            silo.Configure<GrainDirectoryOptions>(directory => directory.CacheSize = DirectoryCacheSize);
            silo.AddDashboard();
        });
    }

    /// <summary>Alerts, reconciliation and retention, each a grain on a reminder, started once the silo runs.</summary>
    public static void AddTicketingOperations(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<OperationsOptions>(builder.Configuration.GetSection(OperationsOptions.Section));
        builder.Services.AddOptions<OperationsLinks>()
            .Bind(builder.Configuration.GetSection(OperationsLinks.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<AlertGauges>();
        builder.Services.AddHostedService<ScheduledWork>();
    }

    public static void MapTicketingDashboard(this WebApplication app)
    {
        // An operator's tool, not part of the API: kept out of the API reference.
        var dashboard = app.MapOrleansDashboard(OperationsLinks.Dashboard).ExcludeFromDescription();
        if (!app.Environment.IsDevelopment())
        {
            dashboard.RequireAuthorization(Roles.Operator);
        }
    }
}
