using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Ticketing.Persistence.Migrations;

namespace Ticketing.Api.Health;

internal static class HealthSetup
{
    private const string Ready = "ready";

    public static void AddTicketingHealthChecks(this IServiceCollection services) => services.AddHealthChecks()
        .AddCheck<DatabaseReachable>("database", tags: [Ready])
        .AddCheck<MigrationsApplied>("migrations", tags: [Ready])
        .AddCheck<SiloActive>("silo", tags: [Ready]);

    public static void MapTicketingHealth(this WebApplication app)
    {
        // Liveness runs no checks: the process answers, so it should not be restarted.
        // Both are for the orchestrator, not API clients: kept out of the API reference.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson }).ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteJson }).ExcludeFromDescription();
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new { status = entry.Value.Status.ToString(), description = entry.Value.Description }),
        }));
    }

    private sealed class DatabaseReachable(NpgsqlDataSource database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            try
            {
                await using var command = database.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy("PostgreSQL answers.");
            }
            catch (NpgsqlException exception)
            {
                return HealthCheckResult.Unhealthy("PostgreSQL does not answer.", exception);
            }
        }
    }

    private sealed class MigrationsApplied(SchemaMigrator migrator) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            try
            {
                var pending = migrator.PendingScripts();
                return Task.FromResult(pending.Count == 0
                    ? HealthCheckResult.Healthy($"{SchemaMigrator.Scripts.Count} migrations applied.")
                    : HealthCheckResult.Unhealthy($"Pending migrations: {string.Join(", ", pending)}."));
            }
            catch (NpgsqlException exception)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("Cannot read the migration journal.", exception));
            }
        }
    }

    private sealed class SiloActive(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
            return Task.FromResult(status == SiloStatus.Active
                ? HealthCheckResult.Healthy($"Silo {silo.SiloAddress} is active.")
                : HealthCheckResult.Unhealthy($"Silo {silo.SiloAddress} is {status}."));
        }
    }
}
