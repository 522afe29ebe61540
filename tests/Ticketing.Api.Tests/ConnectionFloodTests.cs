using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ticketing.Api.Hosting;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// More browsers than the silo has files for: it turns the extra connections
/// away and lives on, instead of dying when its last file is taken.
/// </summary>
public sealed class ConnectionFloodTests
{
    private const int OpenFiles = 1_000;

    [Fact]
    public async Task Flood_PastTheOpenFilesLimit_SiloTurnsTheRestAwayAndKeepsServing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database);
        await using var silo = await SiloProcess.StartAsync(app.Settings, TimeSpan.FromSeconds(60), OpenFiles);
        // Its connection must outlast the flood: HttpClient drops a connection idle for a minute, and a new
        // one made while the silo is full is turned away, as the flood's are.
        using var before = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = silo.Address,
            Timeout = TimeSpan.FromSeconds(20),
        };
        (await before.GetAsync(new Uri("/health/live", UriKind.Relative))).EnsureSuccessStatusCode();
        var allowed = ConnectionLimit.For(OpenFiles)!.Value;

        // Each connection asks for a page and keeps its socket: more than the silo's files in all.
        var flood = new List<Socket>();
        try
        {
            for (var i = 0; i < OpenFiles + 200; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                flood.Add(socket);
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, silo.Address.Port);
                    await socket.SendAsync("GET /health/live HTTP/1.1\r\nHost: silo\r\n\r\n"u8.ToArray());
                }
                catch (SocketException)
                {
                    // The backlog full while the silo turns connections away: that one is refused, as a client would see.
                }
            }

            var answered = 0;
            var turnedAway = 0;
            foreach (var socket in flood.Where(socket => socket.Connected))
            {
                var received = new byte[256];
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    var read = await socket.ReceiveAsync(received, SocketFlags.None, wait.Token);
                    if (read > 0 && Encoding.ASCII.GetString(received, 0, read).StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
                    {
                        answered++;
                    }
                    else
                    {
                        turnedAway++;
                    }
                }
                catch (Exception exception) when (exception is SocketException or OperationCanceledException)
                {
                    turnedAway++;
                }
            }

            Assert.True(answered <= allowed, $"{answered} connections answered at once, more than the {allowed} a silo allowed {OpenFiles} files takes");
            Assert.True(answered >= allowed / 2, $"only {answered} connections answered of the {allowed} allowed");
            Assert.True(turnedAway > 0, "no connection was turned away");

            // During the flood: the connection kept from before still serves, and so does the silo.
            (await before.GetAsync(new Uri("/health/live", UriKind.Relative))).EnsureSuccessStatusCode();
        }
        finally
        {
            foreach (var socket in flood)
            {
                socket.Dispose();
            }
        }

        using var after = new HttpClient { BaseAddress = silo.Address, Timeout = TimeSpan.FromSeconds(20) };
        var ready = await Eventually.Value(
            async () => (await after.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.True(ready == HttpStatusCode.OK, $"the silo is not ready after the flood ({ready}): {silo.RecentOutput}");
    }

    [Fact]
    public async Task Silo_KeepsARushsNewConnectionsQueued_UpToPendingConnections()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database);
        await using var silo = await SiloProcess.StartAsync(app.Settings, TimeSpan.FromSeconds(60));

        // For a listening socket, ss reports the queue it was given as Send-Q; Linux gives at most somaxconn.
        var ceiling = int.Parse(File.ReadAllText("/proc/sys/net/core/somaxconn").Trim(), CultureInfo.InvariantCulture);
        // Where somaxconn is above Kestrel's default (512), this tells the two apart.
        Assert.Equal(Math.Min(ConnectionLimit.PendingConnections, ceiling), await Listening(silo.Address.Port));
    }

    private static async Task<int> Listening(int port)
    {
        using var ss = Process.Start(new ProcessStartInfo("ss", $"-Hltn sport = :{port}") { RedirectStandardOutput = true })!;
        var output = await ss.StandardOutput.ReadToEndAsync();
        await ss.WaitForExitAsync();
        // "LISTEN 0      4096      127.0.0.1:5080      0.0.0.0:*"
        var columns = output.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(columns is ["LISTEN", _, _, ..], $"ss found no listening socket on port {port}: {output}");
        return int.Parse(columns[2], CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(1_000, 500)]
    [InlineData(20_000, 16_000)]
    [InlineData(1_048_576, 838_861)]
    public void Allowed_LeavesFilesForEverythingElse(long openFiles, long connections) =>
        Assert.Equal(connections, ConnectionLimit.For(openFiles));

    [Fact]
    public void OpenFilesLimit_ReadsTheSoftLimit()
    {
        var limits = Path.GetTempFileName();
        File.WriteAllLines(limits,
        [
            "Limit                     Soft Limit           Hard Limit           Units",
            "Max processes             96367                96367                processes",
            "Max open files            20000                40000                files",
        ]);

        Assert.Equal(20_000, ConnectionLimit.OpenFilesLimit(limits));
        File.WriteAllLines(limits, ["Max open files            unlimited            unlimited            files"]);
        Assert.Null(ConnectionLimit.OpenFilesLimit(limits));
        File.Delete(limits);
    }
}
