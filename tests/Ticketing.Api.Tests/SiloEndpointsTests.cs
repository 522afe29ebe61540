using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Ticketing.Api.Hosting;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// What the silo opens to the network: its silo port on the advertised
/// address only, and an Orleans gateway only when a port is configured.
/// 127.0.0.2 is a loopback address other than 127.0.0.1, so a port bound to
/// every address answers on both and one bound to the advertised address on one.
/// </summary>
public sealed class SiloEndpointsTests
{
    private const string TlsLog = "Ticketing.Api.Hosting.SiloTls";
    private static readonly IPAddress Advertised = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Silo_WithoutGatewayPort_HasNoGateway_AndListensOnTheAdvertisedAddressOnly()
    {
        await using var database = await TestDatabase.CreateAsync();
        var siloPort = TicketingApp.FreePort();
        await using var app = new TicketingApp(database, Endpoints(siloPort, gatewayPort: null)).Start();

        var endpoints = app.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;

        Assert.Equal(0, endpoints.GatewayPort);
        Assert.Null(endpoints.GatewayListeningEndpoint);
        Assert.Equal(new IPEndPoint(Advertised, siloPort), endpoints.SiloListeningEndpoint);
        // Orleans clients find gateways in the membership table: this silo offers none.
        Assert.Equal(0, await ProxyPort(database, siloPort));
        Assert.True(await Accepts(Advertised, siloPort), "the silo port does not answer on the advertised address");
        Assert.False(await Accepts(IPAddress.Loopback, siloPort), "the silo port answers on another address than the advertised one");
        Assert.Contains(app.Logs, entry => entry.Category == TlsLog
            && entry.Level == LogLevel.Information
            && entry.Message.Contains("TLS is off", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Silo_WithGatewayPort_OffersItsGateway_OnTheAdvertisedAddressOnly()
    {
        await using var database = await TestDatabase.CreateAsync();
        var siloPort = TicketingApp.FreePort();
        var gatewayPort = TicketingApp.FreePort();
        await using var app = new TicketingApp(database, Endpoints(siloPort, gatewayPort)).Start();

        Assert.Equal(gatewayPort, await ProxyPort(database, siloPort));
        Assert.True(await Accepts(Advertised, gatewayPort), "the gateway does not answer on the advertised address");
        Assert.False(await Accepts(IPAddress.Loopback, gatewayPort), "the gateway answers on another address than the advertised one");
    }

    private static Dictionary<string, string?> Endpoints(int siloPort, int? gatewayPort)
    {
        var settings = new Dictionary<string, string?>
        {
            [SettingKeys.AdvertisedIPAddress] = Advertised.ToString(),
            [SettingKeys.SiloPort] = siloPort.ToString(CultureInfo.InvariantCulture),
            // Outside Development the silo logs warnings only; the plain-text notice on loopback is Information.
            ["Logging:LogLevel:" + TlsLog] = "Information",
        };
        if (gatewayPort is { } port)
        {
            settings[SettingKeys.GatewayPort] = port.ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }

    private static async Task<int> ProxyPort(TestDatabase database, int siloPort) =>
        (int)(await database.ScalarAsync(
            "SELECT proxy_port FROM orleans_membership WHERE deployment_id = @cluster AND address = @address AND port = @port AND status = 3",
            ("cluster", database.Name),
            ("address", Advertised.ToString()),
            ("port", siloPort)))!;

    private static async Task<bool> Accepts(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
