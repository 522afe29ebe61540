using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Ticketing.Api.Hosting;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// Mutual TLS between silos (Orleans:Tls): silos with certificates from the
/// cluster CA form a cluster, a silo without one or with another CA's never
/// becomes a member. Each test has its own database, hence its own cluster.
/// </summary>
public sealed class SiloTlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    private const string TlsLog = "Ticketing.Api.Hosting.SiloTls";
    private const string TlsServerLog = "Orleans.Connections.Security.TlsServerConnectionMiddleware";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Silos_WithCertificatesFromTheClusterCa_FormACluster()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var first = new TicketingApp(database, Tls(certificates.FirstSiloPath)).Start();
        await using var second = new TicketingApp(database, Tls(certificates.SecondSiloPath)).Start();

        var seenByFirst = await Eventually.Value(() => ActiveSilos(first), silos => silos.Count == 2, Patience);
        var seenBySecond = await Eventually.Value(() => ActiveSilos(second), silos => silos.Count == 2, Patience);

        Assert.Equal(2, seenByFirst.Count);
        Assert.Equal(seenByFirst.Select(silo => silo.ToString()).Order(), seenBySecond.Select(silo => silo.ToString()).Order());
        // Each silo answers a call of its own: the message to the other one crosses the TLS connection both ways.
        var statistics = await Management(first).GetRuntimeStatistics([.. seenByFirst]);
        Assert.Equal(2, statistics.Length);
        Assert.Contains(first.Logs, entry => entry.Category == TlsLog && entry.Message.Contains("TLS is on", StringComparison.Ordinal));
        // Refusals only: a handshake may time out on a loaded machine and be retried.
        Assert.DoesNotContain(first.Logs, entry => entry.Category == TlsServerLog && entry.Message.Contains("failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Silo_WithoutCertificate_CannotJoin() => await AssertCannotJoin(intruderCertificate: null);

    [Fact]
    public async Task Silo_WithCertificateFromAnotherCa_CannotJoin() => await AssertCannotJoin(certificates.ForeignSiloPath);

    [Fact]
    public async Task Silo_WhoseCertificateIsNotFromItsCa_RefusesToStart()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = Tls(certificates.ForeignSiloPath);
        await using var app = new TicketingApp(database, settings);

        var refusal = Assert.ThrowsAny<Exception>(() => app.Start());

        Assert.Contains("does not chain to Orleans__Tls__TrustedCaPath", refusal.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PeerRule_TrustsTheClusterCa_OrWithoutOne_TheSameCertificateOnly()
    {
        using var first = TestCertificates.Load(certificates.FirstSiloPath);
        using var second = TestCertificates.Load(certificates.SecondSiloPath);
        using var foreign = TestCertificates.Load(certificates.ForeignSiloPath);
        using var clusterCa = X509CertificateLoader.LoadCertificateFromFile(certificates.ClusterCaPath);

        Assert.True(SiloTls.IsClusterPeer(second, first, clusterCa));
        Assert.False(SiloTls.IsClusterPeer(foreign, first, clusterCa));
        Assert.True(SiloTls.IsClusterPeer(first, first, trustedCa: null));
        Assert.False(SiloTls.IsClusterPeer(second, first, trustedCa: null));
    }

    [Fact]
    public void PlaintextNotice_IsAWarning_OnlyOffLoopback()
    {
        Assert.Equal(LogLevel.Information, SiloTls.PlaintextNoticeLevel(IPAddress.Loopback));
        Assert.Equal(LogLevel.Information, SiloTls.PlaintextNoticeLevel(IPAddress.IPv6Loopback));
        Assert.Equal(LogLevel.Warning, SiloTls.PlaintextNoticeLevel(IPAddress.Parse("10.0.0.5")));
    }

    /// <summary>
    /// A TLS silo runs; an intruder registers in the same cluster and tries to
    /// join. The wait ends once the member has refused the intruder's
    /// handshakes and the intruder is still knocking (Joining); throughout, the
    /// member counts only itself active. The intruder's start is then cancelled:
    /// on its own it would retry for minutes (Orleans' MaxJoinAttemptTime).
    /// </summary>
    private async Task AssertCannotJoin(string? intruderCertificate)
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var member = new TicketingApp(database, Tls(certificates.FirstSiloPath)).Start();
        var intruderPort = TicketingApp.FreePort();
        using var intruder = Intruder(database, intruderPort, intruderCertificate);
        using var giveUp = new CancellationTokenSource();
        var joining = intruder.StartAsync(giveUp.Token);
        try
        {
            var mostSeenActive = 0;
            var knocked = await Eventually.Value(
                async () =>
                {
                    mostSeenActive = Math.Max(mostSeenActive, (await ActiveSilos(member)).Count);
                    var refusals = member.Logs.Count(entry => entry.Category == TlsServerLog);
                    var status = await IntruderStatus(database, intruderPort);
                    return (refusals, status);
                },
                seen => (seen.refusals >= 2 && seen.status == (int)SiloStatus.Joining) || seen.status == (int)SiloStatus.Active,
                Patience);

            Assert.Equal((int)SiloStatus.Joining, knocked.status);
            Assert.Equal(1, mostSeenActive);
            Assert.True(knocked.refusals >= 2, $"the member refused {knocked.refusals} handshakes");
            Assert.False(joining.IsCompleted, "the intruder's start ended");
            Assert.Equal([member.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress], await ActiveSilos(member));
        }
        finally
        {
            // A silo that never started cannot be stopped (Orleans refuses):
            // its start is cancelled, and the host disposed on the way out.
            await giveUp.CancelAsync();
            await Record.ExceptionAsync(() => joining);
        }
    }

    private Dictionary<string, string?> Tls(string certificatePath) => new()
    {
        [SettingKeys.TlsCertificatePath] = certificatePath,
        [SettingKeys.TlsCertificatePassword] = TestCertificates.Password,
        [SettingKeys.TlsTrustedCaPath] = certificates.ClusterCaPath,
        ["Logging:LogLevel:" + TlsLog] = "Information",
    };

    /// <summary>
    /// A bare Orleans silo of the same cluster (same table, cluster and service
    /// ids). With a certificate it accepts whatever the member presents, so
    /// only the member's own check stands in its way.
    /// </summary>
    private static IHost Intruder(TestDatabase database, int siloPort, string? certificatePath) => new HostBuilder()
        .UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = database.Name;
                cluster.ServiceId = database.Name;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort: 0);
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = database.ConnectionString;
            });
            if (certificatePath is not null)
            {
                silo.UseTls(TestCertificates.Load(certificatePath), tls => tls.AllowAnyRemoteCertificate());
            }
        })
        .Build();

    private static async Task<int?> IntruderStatus(TestDatabase database, int port) =>
        (int?)await database.ScalarAsync(
            "SELECT status FROM orleans_membership WHERE deployment_id = @cluster AND port = @port",
            ("cluster", database.Name),
            ("port", port));

    private static IManagementGrain Management(TicketingApp app) =>
        app.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);

    private static async Task<List<SiloAddress>> ActiveSilos(TicketingApp app) =>
        [.. (await Management(app).GetHosts(onlyActive: true)).Keys];
}
