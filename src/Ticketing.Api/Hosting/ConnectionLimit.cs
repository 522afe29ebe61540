using System.Globalization;

namespace Ticketing.Api.Hosting;

/// <summary>
/// Keeps the silo's client connections below the files the process may open.
/// A socket is a file: once a rush of browsers takes every one, the runtime
/// cannot map code or open a database connection and the process dies. Past
/// the limit Kestrel closes new connections at once; the silo, its grains and
/// the connections it already has carry on. Below it, a rush's new
/// connections wait in the kernel until the silo accepts them
/// (<see cref="PendingConnections"/>).
/// </summary>
internal static class ConnectionLimit
{
    public const string Key = "Kestrel:Limits:MaxConcurrentConnections";

    /// <summary>Files kept for everything but clients: the database pool, the cluster, Stripe, logs, the runtime.</summary>
    public const int Reserve = 512;

    /// <summary>
    /// New connections the kernel holds until the silo accepts them. A rush
    /// opens thousands at once, and a collection pauses the silo's accepting
    /// for a tenth of a second; a connection past this queue is dropped, and
    /// the browser tries again only a second later. Kestrel's default is 512;
    /// Linux caps the queue at net.core.somaxconn (4096 by default).
    /// </summary>
    public const int PendingConnections = 4096;

    public static void AddTicketingConnectionLimit(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseSockets(sockets => sockets.Backlog = PendingConnections);
        var configured = builder.Configuration[Key];
        var limit = configured is not null
            ? long.Parse(configured, CultureInfo.InvariantCulture)
            : For(OpenFilesLimit());
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxConcurrentConnections = limit);
    }

    /// <summary>The client connections a process allowed <paramref name="openFiles"/> files takes; null (no limit) when unknown.</summary>
    public static long? For(long? openFiles) =>
        openFiles is { } files ? Math.Max(files / 2, files - Math.Max(Reserve, files / 5)) : null;

    /// <summary>The soft limit on open files, as Linux reports it for this process; null elsewhere or when unlimited.</summary>
    public static long? OpenFilesLimit(string limitsFile = "/proc/self/limits")
    {
        if (!File.Exists(limitsFile))
        {
            return null;
        }

        // "Max open files            20000                20000                files"
        var line = File.ReadLines(limitsFile).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var soft = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var files) ? files : null;
    }
}
