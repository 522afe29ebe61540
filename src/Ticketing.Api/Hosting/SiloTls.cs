using System.Net;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Ticketing.Api.Hosting;

/// <summary>
/// Mutual TLS between silos. With <see cref="SettingKeys.TlsCertificatePath"/>
/// set, every connection, in or out, presents this silo's certificate and
/// requires the peer's, which must chain to <see cref="SettingKeys.TlsTrustedCaPath"/>
/// or, without a CA, be this very certificate. Without it, silos talk in plain text.
/// </summary>
internal static class SiloTls
{
    private const string LogCategory = "Ticketing.Api.Hosting.SiloTls";

    public static void AddSiloTls(this ISiloBuilder silo, IConfiguration configuration, IPAddress listenAddress)
    {
        if (configuration[SettingKeys.TlsCertificatePath] is not { Length: > 0 } certificatePath)
        {
            var level = PlaintextNoticeLevel(listenAddress);
            Announce(silo, logger => logger.Log(
                level,
                "Silo-to-silo TLS is off (Orleans__Tls__CertificatePath is not set): the silo port on {Address} speaks plain text",
                listenAddress));
            return;
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, configuration[SettingKeys.TlsCertificatePassword]);
        if (!certificate.HasPrivateKey)
        {
            throw new InvalidOperationException($"Orleans__Tls__CertificatePath: {certificatePath} holds no private key.");
        }

        var trustedCa = configuration[SettingKeys.TlsTrustedCaPath] is { Length: > 0 } caPath
            ? X509CertificateLoader.LoadCertificateFromFile(caPath)
            : null;
        // A silo its peers would refuse fails here, with a reason, rather than later as a join that never succeeds.
        if (!IsClusterPeer(certificate, certificate, trustedCa))
        {
            throw new InvalidOperationException(
                $"The silo certificate {certificate.Subject} ({certificate.Thumbprint}) is expired or does not chain to Orleans__Tls__TrustedCaPath.");
        }

        silo.UseTls(certificate, tls =>
        {
            // Both directions: a peer that dials in, or answers, without a certificate is refused.
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (remote, _, _) => IsClusterPeer(remote, certificate, trustedCa);
        });
        Announce(silo, logger => logger.LogInformation(
            "Silo-to-silo TLS is on with {Subject} ({Thumbprint}); peers must present {Rule}",
            certificate.Subject,
            certificate.Thumbprint,
            trustedCa is null ? "this same certificate" : $"a certificate issued by {trustedCa.Subject}"));
    }

    /// <summary>Plain text on loopback is a one-machine setup; on any other address, other machines can reach it.</summary>
    internal static LogLevel PlaintextNoticeLevel(IPAddress listenAddress) =>
        IPAddress.IsLoopback(listenAddress) ? LogLevel.Information : LogLevel.Warning;

    /// <summary>
    /// The one rule for a peer's certificate. Host names are not checked: silos
    /// dial each other by address, and the CA issues certificates only to the
    /// cluster's silos.
    /// </summary>
    internal static bool IsClusterPeer(X509Certificate2 remote, X509Certificate2 local, X509Certificate2? trustedCa)
    {
        if (trustedCa is null)
        {
            var now = DateTime.Now;
            return remote.RawDataMemory.Span.SequenceEqual(local.RawDataMemory.Span) && remote.NotBefore <= now && now <= remote.NotAfter;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trustedCa);
        // A private cluster CA publishes no revocation list: a compromised silo
        // certificate is retired by replacing the CA (docs/runbook.md).
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote);
    }

    /// <summary>One line when the silo starts, before it joins, so a join that fails is read next to it.</summary>
    private static void Announce(ISiloBuilder silo, Action<ILogger> log) =>
        silo.AddStartupTask(
            (services, _) =>
            {
                log(services.GetRequiredService<ILoggerFactory>().CreateLogger(LogCategory));
                return Task.CompletedTask;
            },
            ServiceLifecycleStage.RuntimeInitialize);
}
