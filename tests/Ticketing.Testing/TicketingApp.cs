using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Ticketing.Api.Auth;

namespace Ticketing.Testing;

/// <summary>
/// The API silo in-process on its own test database, with its own cluster id
/// and ports so classes run side by side.
/// </summary>
public sealed class TicketingApp : WebApplicationFactory<Program>
{
    public const string SigningKey = "test-signing-key-0123456789abcdef-0123456789";

    private readonly Dictionary<string, string?> settings;

    public TicketingApp(TestDatabase database, IDictionary<string, string?>? overrides = null)
    {
        Database = database;
        settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ticketing"] = database.ConnectionString,
            ["Ticketing:Auth:SigningKey"] = SigningKey,
            ["Orleans:ClusterId"] = database.Name,
            ["Orleans:ServiceId"] = database.Name,
            ["Orleans:Endpoints:SiloPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans:Endpoints:GatewayPort"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    /// <summary>A client whose requests carry a token for <paramref name="userId"/> with the given roles.</summary>
    public HttpClient ClientFor(string userId, params string[] roles)
    {
        var client = CreateClient();
        var token = TokenMinter.Mint(
            new AuthOptions(SigningKey, "ticketing", "ticketing-api", Authority: null), userId, roles, TimeSpan.FromHours(1));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public HttpClient Organizer() => ClientFor("organizer-1", Roles.Organizer);

    public HttpClient Buyer(string userId = "buyer-1") => ClientFor(userId, Roles.Buyer);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
