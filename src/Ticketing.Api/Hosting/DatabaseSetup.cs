using Npgsql;
using Ticketing.Persistence;
using Ticketing.Persistence.Events;
using Ticketing.Persistence.Idempotency;
using Ticketing.Persistence.Migrations;
using Ticketing.Persistence.OnSales;
using Ticketing.Persistence.Operations;
using Ticketing.Persistence.Orders;
using Ticketing.Persistence.Payments;
using Ticketing.Persistence.Sessions;
using Ticketing.Persistence.Tickets;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Api.Hosting;

internal static class DatabaseSetup
{
    /// <summary>The operations store's connections: its recounts read whole tables (<see cref="Connections.Keyed"/>).</summary>
    private const string Recounts = "recounts";

    public static string ConnectionString(IConfiguration configuration) =>
        configuration[SettingKeys.ConnectionString] is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException(
                "ConnectionStrings__Ticketing is not set: give the PostgreSQL connection string (scripts/run.sh does it for development).");

    public static void AddTicketingDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = ConnectionString(builder.Configuration);
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(Connections.Keyed(connectionString)));
        builder.Services.AddKeyedSingleton(Recounts, (_, _) => NpgsqlDataSource.Create(Connections.Tuned(connectionString)));
        builder.Services.AddSingleton(services => new SchemaMigrator(
            connectionString, services.GetRequiredService<ILoggerFactory>().CreateLogger("Migrations")));
        builder.Services.AddSingleton<EventStore>();
        builder.Services.AddSingleton<EventOwners>();
        builder.Services.AddSingleton<TierStore>();
        builder.Services.AddSingleton<OnSaleStore>();
        builder.Services.AddSingleton<BuyerTicketStore>();
        builder.Services.AddSingleton<QueueStore>();
        builder.Services.AddSingleton<TierRepository>();
        builder.Services.AddSingleton<HoldStore>();
        builder.Services.AddSingleton<IdempotencyStore>();
        builder.Services.AddSingleton<OrderRepository>();
        builder.Services.AddSingleton<StripeEventStore>();
        builder.Services.AddSingleton<TicketStore>();
        builder.Services.AddSingleton<ScanLog>();
        builder.Services.AddSingleton<SessionKeyStore>();
        builder.Services.AddSingleton(services => new OperationsStore(services.GetRequiredKeyedService<NpgsqlDataSource>(Recounts)));
        builder.Services.AddSingleton(TimeProvider.System);

        // Registered before Orleans: hosted services start in order, and the
        // silo's clustering and reminder tables come from these migrations.
        if (builder.Configuration.GetValue(SettingKeys.MigrateOnStartup, true))
        {
            builder.Services.AddHostedService<MigrateOnStartup>();
        }
    }

    private sealed class MigrateOnStartup(SchemaMigrator migrator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.ApplyAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
