namespace Ticketing.Api.Hosting;

/// <summary>
/// The signing keys and webhook secrets written in this repository (scripts,
/// docker-compose.yml, docs): anyone can read them, so with one of them anyone
/// could mint an organizer's token or forge a paid webhook. Outside
/// Development the silo refuses to start with any of them.
/// </summary>
internal static class DevelopmentSecrets
{
    public static readonly IReadOnlyList<string> Known =
    [
        "development-only-signing-key-0123456789abcdef",
        "whsec_development_only_0123456789abcdef",
    ];

    /// <summary>Why the silo must not start with this configuration, or null when it may.</summary>
    public static string? Refusal(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
        {
            return null;
        }

        var published = new[] { SettingKeys.AuthSigningKey, SettingKeys.StripeWebhookSecret }
            .Where(key => configuration[key] is { } value && Known.Contains(value))
            .Select(key => key.Replace(":", "__", StringComparison.Ordinal))
            .ToList();
        return published.Count == 0
            ? null
            : $"{string.Join(" and ", published)} {(published.Count == 1 ? "is a development value" : "are development values")} published in this repository: "
              + $"anyone could mint tokens or forge Stripe webhooks with {(published.Count == 1 ? "it" : "them")}. "
              + $"Outside Development ({environment.EnvironmentName} now) set secrets of your own, for example: head -c 32 /dev/urandom | base64";
    }
}
