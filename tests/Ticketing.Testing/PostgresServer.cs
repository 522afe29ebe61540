using System.Diagnostics;

namespace Ticketing.Testing;

/// <summary>
/// The PostgreSQL server the tests run against: the one scripts/test.sh
/// started (TICKETING_TEST_POSTGRES), or, when a test runs alone from an IDE,
/// the private one that scripts/postgres.sh starts or reuses.
/// </summary>
public static class PostgresServer
{
    private static readonly Lazy<Task<string>> Admin = new(FindOrStartAsync);

    /// <summary>A connection string to the server's <c>postgres</c> database.</summary>
    public static Task<string> AdminConnectionStringAsync() => Admin.Value;

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ticketing.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Ticketing.sln above {AppContext.BaseDirectory}.");
    }

    private static async Task<string> FindOrStartAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("TICKETING_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = await RunPostgresScriptAsync();
        }

        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = true }.ConnectionString;
    }

    private static async Task<string> RunPostgresScriptAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "postgres.sh");
        using var process = Process.Start(new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"Could not start {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? (await output).Trim()
            : throw new InvalidOperationException($"{script} failed ({process.ExitCode}): {await errors}");
    }
}
