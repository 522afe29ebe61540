using System.Diagnostics;

namespace Ticketing.Testing;

/// <summary>
/// The Stripe emulator as a process of its own on a real port, for a browser
/// to reach (its hosted payment page) and a silo process to pay through. Its
/// webhooks go to <c>webhookUrl</c>, retried on Stripe's schedule compressed.
/// </summary>
public sealed class StripeEmulatorProcess : IAsyncDisposable
{
    private readonly ChildProcess process;

    private StripeEmulatorProcess(ChildProcess process) => this.process = process;

    public Uri Address => process.Address;

    public string RecentOutput => process.RecentOutput;

    /// <summary>The settings a silo pays through this emulator with.</summary>
    public IReadOnlyDictionary<string, string?> SiloSettings => new Dictionary<string, string?>
    {
        ["Ticketing:Stripe:ApiBase"] = Address.ToString().TrimEnd('/'),
        ["Ticketing:Stripe:SecretKey"] = StripeEmulatorHost.SecretKey,
        ["Ticketing:Stripe:WebhookSecret"] = StripeEmulatorHost.WebhookSecret,
    };

    public static async Task<StripeEmulatorProcess> StartAsync(Uri webhookUrl, TimeSpan within)
    {
        var dll = ChildProcess.BuiltAssembly("Ticketing.StripeEmulator");
        var port = TicketingApp.FreePort();
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["StripeEmulator__WebhookUrl"] = webhookUrl.ToString();
        start.Environment["StripeEmulator__WebhookSecret"] = StripeEmulatorHost.WebhookSecret;
        string[] delays = ["00:00:00.2", "00:00:00.5", "00:00:01", "00:00:02", "00:00:02", "00:00:03", "00:00:05", "00:00:05"];
        for (var i = 0; i < delays.Length; i++)
        {
            start.Environment[$"StripeEmulator__RetryDelays__{i}"] = delays[i];
        }

        return new StripeEmulatorProcess(await ChildProcess.StartAsync(start, "The Stripe emulator", new Uri($"http://127.0.0.1:{port}"), "/_emulator/delivery", within));
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
