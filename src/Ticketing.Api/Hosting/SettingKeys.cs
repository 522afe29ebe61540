namespace Ticketing.Api.Hosting;

/// <summary>
/// Every configuration key the silo reads (as in docs/api.md; in the
/// environment, ':' is written '__'). docker-compose.yml is checked against
/// this list by a test.
/// </summary>
internal static class SettingKeys
{
    public const string ConnectionString = "ConnectionStrings:Ticketing";
    public const string AuthSigningKey = "Ticketing:Auth:SigningKey";
    public const string AuthIssuer = "Ticketing:Auth:Issuer";
    public const string AuthAudience = "Ticketing:Auth:Audience";
    public const string AuthAuthority = "Ticketing:Auth:Authority";
    public const string AuthClientId = "Ticketing:Auth:ClientId";
    public const string AuthClientSecret = "Ticketing:Auth:ClientSecret";
    public const string MigrateOnStartup = "Ticketing:Database:MigrateOnStartup";
    public const string HoldsTtl = "Ticketing:Holds:Ttl";
    public const string HoldsExpiryScan = "Ticketing:Holds:ExpiryScan";
    public const string HoldsWakeUp = "Ticketing:Holds:WakeUp";
    public const string StripeApiBase = "Ticketing:Stripe:ApiBase";
    public const string StripeSecretKey = "Ticketing:Stripe:SecretKey";
    public const string StripeWebhookSecret = "Ticketing:Stripe:WebhookSecret";
    public const string StripePublishableKey = "Ticketing:Stripe:PublishableKey";
    public const string StripeCheckoutUrl = "Ticketing:Stripe:CheckoutUrl";
    public const string AlertInterval = "Ticketing:Operations:AlertInterval";
    public const string ReconciliationInterval = "Ticketing:Operations:ReconciliationInterval";
    public const string ReconcileWindow = "Ticketing:Operations:ReconcileWindow";
    public const string RetainContactsFor = "Ticketing:Operations:RetainContactsFor";
    public const string RetentionInterval = "Ticketing:Operations:RetentionInterval";
    public const string GrafanaUrl = "Ticketing:Operations:GrafanaUrl";
    public const string OnSalesPassKey = "Ticketing:OnSales:PassKey";
    public const string MaxConnections = ConnectionLimit.Key;
    public const string ClusterId = "Orleans:ClusterId";
    public const string ServiceId = "Orleans:ServiceId";
    public const string SiloPort = "Orleans:Endpoints:SiloPort";
    public const string GatewayPort = "Orleans:Endpoints:GatewayPort";
    public const string AdvertisedIPAddress = "Orleans:Endpoints:AdvertisedIPAddress";
    public const string TlsCertificatePath = "Orleans:Tls:CertificatePath";
    public const string TlsCertificatePassword = "Orleans:Tls:CertificatePassword";
    public const string TlsTrustedCaPath = "Orleans:Tls:TrustedCaPath";

    /// <summary>A section, not a key: its keys are Orleans' ClusterMembershipOptions (ProbeTimeout, NumMissedProbesLimit...).</summary>
    public const string MembershipSection = "Orleans:Membership";

    /// <summary>The rate limits: <c>Ticketing:RateLimits:{Holds|Orders|Queue|Scans|Anonymous}:{PerMinute|Burst}</c>.</summary>
    public static readonly IReadOnlyList<string> RateLimits =
        [.. new Limits.RateLimitOptions().Policies().SelectMany(policy => new[] { $"{policy.Key}:PerMinute", $"{policy.Key}:Burst" })];

    /// <summary>Read by ASP.NET Core itself.</summary>
    public static readonly IReadOnlyList<string> Framework = ["ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT"];

    public static readonly IReadOnlyList<string> All =
    [
        ConnectionString, AuthSigningKey, AuthIssuer, AuthAudience, AuthAuthority, AuthClientId, AuthClientSecret, MigrateOnStartup, HoldsTtl, HoldsExpiryScan, HoldsWakeUp,
        StripeApiBase, StripeSecretKey, StripeWebhookSecret, StripePublishableKey, StripeCheckoutUrl,
        AlertInterval, ReconciliationInterval, ReconcileWindow, RetainContactsFor, RetentionInterval, GrafanaUrl, OnSalesPassKey, MaxConnections,
        ClusterId, ServiceId, SiloPort, GatewayPort, AdvertisedIPAddress,
        TlsCertificatePath, TlsCertificatePassword, TlsTrustedCaPath,
        .. RateLimits,
    ];
}
