using System.Diagnostics;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Ticketing.Persistence.Migrations;

/// <summary>
/// Applies the numbered scripts of the repository's sql/ folder (embedded in
/// this assembly) in order, each in its own transaction, journalled in
/// public.schema_versions.
/// </summary>
public sealed class SchemaMigrator(string connectionString, ILogger logger)
{
    // Any fixed 64-bit number works; all silos must agree on it.
    private const long MigrationLockKey = 0x7469636b_6574696e; // "ticketin"

    /// <summary>Names of the embedded scripts, in the order they apply.</summary>
    public static IReadOnlyList<string> Scripts { get; } = typeof(SchemaMigrator).Assembly
        .GetManifestResourceNames()
        .Where(name => name.StartsWith("sql.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// Applies what is missing. Several silos may start at once: a session-level
    /// advisory lock lets one migrate while the others wait, then find nothing to do.
    /// </summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        if (Scripts.Count == 0)
        {
            throw new InvalidOperationException("No sql.*.sql resources are embedded in Ticketing.Persistence: the build lost the migrations.");
        }

        var started = Stopwatch.GetTimestamp();
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var result = Upgrader().PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }

            logger.LogInformation(
                "Schema up to date: {Applied} script(s) applied in {ElapsedMs} ms",
                result.Scripts.Count(),
                Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Scripts not yet applied to the database.</summary>
    public IReadOnlyList<string> PendingScripts() =>
        Upgrader().GetScriptsToExecute().Select(script => script.Name).ToArray();

    private UpgradeEngine Upgrader() => DeployChanges.To
        .PostgresqlDatabase(connectionString)
        .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly, name => Scripts.Contains(name))
        .WithTransactionPerScript()
        // Scripts contain $$-quoted function bodies: no DbUp variable substitution.
        .WithVariablesDisabled()
        .JournalToPostgresqlTable("public", "schema_versions")
        .LogTo(new DbUpLog(logger))
        .Build();

    // DbUp hands over string.Format patterns, not message templates.
    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace("{Message}", string.Format(format, args));
        public void LogDebug(string format, params object[] args) => logger.LogDebug("{Message}", string.Format(format, args));
        public void LogInformation(string format, params object[] args) => logger.LogInformation("{Message}", string.Format(format, args));
        public void LogWarning(string format, params object[] args) => logger.LogWarning("{Message}", string.Format(format, args));
        public void LogError(string format, params object[] args) => logger.LogError("{Message}", string.Format(format, args));
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, "{Message}", string.Format(format, args));
    }
}
