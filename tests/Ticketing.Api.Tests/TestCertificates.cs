using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Ticketing.Api.Tests;

/// <summary>
/// Files as an operator hands them to silos, made fresh for a test class: a
/// cluster CA (PEM), two silo certificates it issued and one issued by
/// another CA (PFX, with their keys).
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public const string Password = "test-pfx-password";

    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("ticketing-tls-");

    public TestCertificates()
    {
        using var clusterCa = CreateCa("CN=Ticketing test cluster CA");
        using var otherCa = CreateCa("CN=Another cluster CA");
        ClusterCaPath = Path.Combine(folder.FullName, "cluster-ca.pem");
        File.WriteAllText(ClusterCaPath, clusterCa.ExportCertificatePem());
        FirstSiloPath = WritePfx("silo-1.pfx", clusterCa, "CN=silo-1");
        SecondSiloPath = WritePfx("silo-2.pfx", clusterCa, "CN=silo-2");
        ForeignSiloPath = WritePfx("foreign-silo.pfx", otherCa, "CN=foreign-silo");
    }

    public string ClusterCaPath { get; }

    public string FirstSiloPath { get; }

    public string SecondSiloPath { get; }

    /// <summary>Issued by another CA than <see cref="ClusterCaPath"/>.</summary>
    public string ForeignSiloPath { get; }

    public static X509Certificate2 Load(string pfxPath) => X509CertificateLoader.LoadPkcs12FromFile(pfxPath, Password);

    public void Dispose() => folder.Delete(recursive: true);

    private static X509Certificate2 CreateCa(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    private string WritePfx(string name, X509Certificate2 issuer, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        // A silo is the server of the connections it accepts and the client of those it opens.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication, ClientAuthentication], critical: false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        var path = Path.Combine(folder.FullName, name);
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12, Password));
        return path;
    }
}
