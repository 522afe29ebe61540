using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Ticketing.Testing;

/// <summary>
/// The API silo as a process of its own, run from the built Ticketing.Api.dll:
/// a test kills it with SIGKILL, which the in-process host cannot be, and a
/// browser reaches it over real sockets. It joins the cluster of the settings
/// it is given (connection string, cluster and service id, signing key...)
/// with ports of its own.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly ChildProcess process;

    private SiloProcess(ChildProcess process) => this.process = process;

    /// <summary>Where its HTTP API listens.</summary>
    public Uri Address => process.Address;

    /// <summary>The last lines it wrote, for a failing test's message.</summary>
    public string RecentOutput => process.RecentOutput;

    /// <summary>
    /// Starts the silo with <paramref name="settings"/> (configuration keys, ':'-separated; ASPNETCORE_ENVIRONMENT among them
    /// when not Testing, ASPNETCORE_URLS for addresses to listen on besides the http one it is probed on) and waits until it is ready;
    /// with <paramref name="openFiles"/>, the process may open that many files (soft and hard: the runtime raises its soft limit to the hard one);
    /// on <paramref name="port"/> when given.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, TimeSpan within, int? openFiles = null, int? port = null)
    {
        var dll = ChildProcess.BuiltAssembly("Ticketing.Api");
        var listen = port ?? TicketingApp.FreePort();
        var (program, arguments) = openFiles is { } files
            ? ("bash", new[] { "-c", $"ulimit -n {files} && exec dotnet \"$0\"", dll })
            : ("dotnet", new[] { dll });
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = Path.GetDirectoryName(dll)! };
        // Warnings and up: what a failing test needs, without a small machine spending itself on request logs.
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["Orleans__Endpoints__SiloPort"] = TicketingApp.FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["Orleans__Endpoints__GatewayPort"] = TicketingApp.FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["ASPNETCORE_URLS"] = settings.TryGetValue("ASPNETCORE_URLS", out var more) && more is { Length: > 0 }
            ? $"http://127.0.0.1:{listen};{more}"
            : $"http://127.0.0.1:{listen}";
        return new SiloProcess(await ChildProcess.StartAsync(start, "The silo", new Uri($"http://127.0.0.1:{listen}"), "/health/ready", within));
    }

    /// <summary>A client of its API whose requests carry <paramref name="token"/>.</summary>
    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Kills the process with SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public Task KillAsync() => process.KillAsync();

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
