using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ticketing.Testing;

/// <summary>A silo process in Production, listening over HTTPS with a certificate made for the test (and over HTTP, where it is probed).</summary>
public sealed class ProductionSilo : IAsyncLifetime
{
    private const string CertificatePassword = "dashboard-test-password";

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ticketing-https-");
    private TestDatabase database = null!;
    private string thumbprint = "";

    public SiloProcess Silo { get; private set; } = null!;

    public Uri Https { get; private set; } = null!;

    /// <summary>A browser at the HTTPS address: keeps cookies (sending Secure ones over HTTPS only), trusts only this silo's certificate, shows redirects.</summary>
    public HttpClient Browser()
    {
        var handler = new HttpClientHandler
        {
            CookieContainer = new CookieContainer(),
            UseCookies = true,
            AllowAutoRedirect = false,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => certificate?.Thumbprint == thumbprint,
        };
        var browser = new HttpClient(handler) { BaseAddress = Https, Timeout = TimeSpan.FromSeconds(60) };
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html,application/xhtml+xml,*/*;q=0.8");
        return browser;
    }

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        var certificatePath = Path.Combine(folder.FullName, "localhost.pfx");
        File.WriteAllBytes(certificatePath, Certificate(out thumbprint));
        Https = new Uri($"https://127.0.0.1:{TicketingApp.FreePort()}");
        await using var app = new TicketingApp(database); // never started: its settings only
        var settings = new Dictionary<string, string?>(app.Settings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = Https.ToString().TrimEnd('/'),
            ["Kestrel:Certificates:Default:Path"] = certificatePath,
            ["Kestrel:Certificates:Default:Password"] = CertificatePassword,
        };
        Silo = await SiloProcess.StartAsync(settings, TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        await Silo.DisposeAsync();
        await database.DisposeAsync();
        folder.Delete(recursive: true);
    }

    private static byte[] Certificate(out string thumbprint)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        thumbprint = certificate.Thumbprint;
        return certificate.Export(X509ContentType.Pkcs12, CertificatePassword);
    }
}
