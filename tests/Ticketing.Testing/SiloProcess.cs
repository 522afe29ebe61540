using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Ticketing.Testing;

/// <summary>
/// The API silo as a process of its own, run from the built Ticketing.Api.dll:
/// a test kills it with SIGKILL, which the in-process host cannot be. It
/// joins the cluster of the settings it is given (connection string, cluster
/// and service id, signing key...) with ports of its own.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private SiloProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        // Read as it comes: a full pipe would block the silo's logging.
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Where its HTTP API listens.</summary>
    public Uri Address { get; }

    /// <summary>The last lines it wrote, for a failing test's message.</summary>
    public string RecentOutput => string.Join(Environment.NewLine, lines);

    /// <summary>
    /// Starts the silo with <paramref name="settings"/> (configuration keys, ':'-separated; ASPNETCORE_ENVIRONMENT among them
    /// when not Testing, ASPNETCORE_URLS for addresses to listen on besides the http one it is probed on) and waits until it is ready;
    /// with <paramref name="openFiles"/>, the process may open that many files (soft and hard: the runtime raises its soft limit to the hard one).
    /// </summary>
    public static async Task<SiloProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, TimeSpan within, int? openFiles = null)
    {
        var dll = ApiAssembly();
        var port = TicketingApp.FreePort();
        var (program, arguments) = openFiles is { } files
            ? ("bash", new[] { "-c", $"ulimit -n {files} && exec dotnet \"$0\"", dll })
            : ("dotnet", new[] { dll });
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
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
            ? $"http://127.0.0.1:{port};{more}"
            : $"http://127.0.0.1:{port}";
        var silo = new SiloProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {dll}."), new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await silo.WaitUntilReadyAsync(within);
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of its API whose requests carry <paramref name="token"/>.</summary>
    public HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Kills the process with SIGKILL: no shutdown, no goodbye to the cluster.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            await KillAsync();
        }

        process.Dispose();
    }

    /// <summary>
    /// The API host built for the configuration the tests were built for
    /// (bin/Release when the tests run from bin/Release).
    /// </summary>
    private static string ApiAssembly()
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
        var dll = Path.Combine(PostgresServer.RepositoryRoot(), "src", "Ticketing.Api", "bin", configuration, "net10.0", "Ticketing.Api.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build src/Ticketing.Api ({configuration}) first: {dll} is missing.", dll);
    }

    private async Task WaitUntilReadyAsync(TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, not answering yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The silo at {Address} was not ready within {within} (exited: {process.HasExited}). Its last output:{Environment.NewLine}{RecentOutput}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lines.Enqueue(line);
        while (lines.Count > KeptLines && lines.TryDequeue(out _))
        {
        }
    }
}
