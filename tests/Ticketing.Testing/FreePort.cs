using System.Net;
using System.Net.Sockets;

namespace Ticketing.Testing;

/// <summary>Ports nothing listens on, for servers the tests start side by side.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
