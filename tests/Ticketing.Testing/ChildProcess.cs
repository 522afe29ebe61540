using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ticketing.Testing;

/// <summary>
/// A built program of the repository run as a process of its own, listening
/// on <see cref="Address"/>: what a test kills with SIGKILL, or a browser
/// reaches over real sockets. Its last output lines are kept for a failing
/// test's message.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    private readonly Process process;
    private readonly ConcurrentQueue<string> lines = new();

    private ChildProcess(Process process, string name, Uri address)
    {
        this.process = process;
        Name = name;
        Address = address;
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        // Read as it comes: a full pipe would block the program's logging.
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri Address { get; }

    public string RecentOutput => string.Join(Environment.NewLine, lines);

    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts <paramref name="start"/> (its environment set by the caller) and waits until
    /// <paramref name="readyPath"/> answers 2xx at <paramref name="address"/>.
    /// </summary>
    public static async Task<ChildProcess> StartAsync(ProcessStartInfo start, string name, Uri address, string readyPath, TimeSpan within)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var child = new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}."), name, address);
        try
        {
            await child.WaitUntilReadyAsync(readyPath, within);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The built assembly <paramref name="project"/> under src/ for the configuration the tests were built for
    /// (bin/Release when the tests run from bin/Release).
    /// </summary>
    public static string BuiltAssembly(string project)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
        var dll = Path.Combine(PostgresServer.RepositoryRoot(), "src", project, "bin", configuration, "net10.0", $"{project}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build src/{project} ({configuration}) first: {dll} is missing.", dll);
    }

    /// <summary>Kills the process with SIGKILL: no shutdown, no goodbye.</summary>
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

    private async Task WaitUntilReadyAsync(string readyPath, TimeSpan within)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var ready = await http.GetAsync(new Uri(readyPath, UriKind.Relative));
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

        throw new TimeoutException($"{Name} at {Address} was not ready within {within} (exited: {process.HasExited}). Its last output:{Environment.NewLine}{RecentOutput}");
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
