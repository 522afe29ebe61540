using Npgsql;
using Ticketing.Persistence.Events;
using Ticketing.Persistence.Idempotency;
using Ticketing.Persistence.Migrations;
using Ticketing.Persistence.Operations;
using Ticketing.Persistence.Orders;
using Ticketing.Persistence.Payments;
using Ticketing.Persistence.Tickets;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Api.Hosting;

internal static class DatabaseSetup
{
    public static string ConnectionString(IConfiguration configuration) =>
        configuration[SettingKeys.ConnectionString] is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                "ConnectionStrings__Ticketing is not set: give the PostgreSQL connection string (scripts/run.sh does it for development).");

    public static void AddTicketingDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = ConnectionString(builder.Configuration);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(Tuned(connectionString)));
        builder.Services.AddSingleton(services => new SchemaMigrator(
            connectionString, services.GetRequiredService<ILoggerFactory>().CreateLogger("Migrations")));
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddSingleton<TierStore>();
        builder.Services.AddSingleton<TierRepository>();
        builder.Services.AddSingleton<HoldStore>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<OrderRepository>();
        builder.Services.AddSingleton<StripeEventStore>();
        builder.Services.AddSingleton<TicketStore>();
        builder.Services.AddSingleton<ScanLog>();
        builder.Services.AddSingleton<OperationsStore>();
        builder.Services.AddSingleton(TimeProvider.System);

        // Registered before Orleans: hosted services start in order, and the
        // silo's clustering and reminder tables come from these migrations.
        if (builder.Configuration.GetValue(SettingKeys.MigrateOnStartup, true))
        {
            builder.Services.AddHostedService<MigrateOnStartup>();
        }
    }

    /// <summary>
    /// The hot statements (holds, scans, orders) are planned once per
    /// connection and then only executed: planning was a quarter of a scan
    /// write's time. A connection back in the pool is not reset: this code keeps
    /// no session state (no SET, no session advisory locks, no temporary
    /// tables), and the reset was three statements for every one of ours.
    /// A connection string that sets either keeps its own.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            tuned.MaxAutoPrepare = 64;
        }

        if (!given.ContainsKey("No Reset On Close"))
        {
            tuned.NoResetOnClose = true;
        }

        return tuned.ConnectionString;
    }

    private sealed class MigrateOnStartup(SchemaMigrator migrator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.ApplyAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
