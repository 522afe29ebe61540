using System.Diagnostics;
using Npgsql;

namespace Ticketing.Testing;

/// <summary>
/// A PostgreSQL server of one test's own, for tests that stop and restart it:
/// scripts/postgres.sh starts it on a free port with its data in a temporary
/// folder, so the server the rest of the suite runs on is not disturbed.
/// Disposing stops it and deletes the folder.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string folder;
    private readonly int port;

    private PrivatePostgres(string folder, int port, string connectionString)
    {
        this.folder = folder;
        this.port = port;
        // Unpooled: a pooled connection would be a dead one after a restart.
        AdminConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ConnectionString;
    }

    /// <summary>A connection string to the server's <c>postgres</c> database (unpooled).</summary>
    public string AdminConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        // The script gives the data folder's parent to the postgres user when run as root: a folder of its own, not /tmp.
        var folder = Path.Combine(Path.GetTempPath(), "ticketing-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var port = TicketingApp.FreePort();
        try
        {
            return new PrivatePostgres(folder, port, await RunScriptAsync(folder, port, "start"));
        }
        catch (InvalidOperationException)
        {
            // initdb or the start failed: stop whatever did start, keep nothing.
            await new PrivatePostgres(folder, port, "Host=127.0.0.1").DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server with a fast shutdown: open sessions are cut off, their transactions rolled back.</summary>
    public Task StopAsync() => RunScriptAsync(folder, port, "stop");

    /// <summary>Starts the stopped server again; answers once it accepts connections.</summary>
    public Task StartAgainAsync() => RunScriptAsync(folder, port, "start");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs scripts/postgres.sh for this server; answers what it printed (the connection string, on start).</summary>
    private static async Task<string> RunScriptAsync(string folder, int port, string command)
    {
        var script = Path.Combine(PostgresServer.RepositoryRoot(), "scripts", "postgres.sh");
        var start = new ProcessStartInfo("bash", [script, command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["TICKETING_PG_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TICKETING_PG_DATA"] = Path.Combine(folder, "data");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? (await output).Trim()
            : throw new InvalidOperationException($"{script} {command} failed ({process.ExitCode}): {await errors}");
    }
}
