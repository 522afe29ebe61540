using Ticketing.StripeEmulator.Hosting;

namespace Ticketing.StripeEmulator;

/// <summary>
/// Entry point. A named class rather than top-level statements so that a test
/// project referencing both this and the API silo sees one global <c>Program</c>;
/// tests host it with <c>WebApplicationFactory&lt;EmulatorProgram&gt;</c>.
/// </summary>
public sealed class EmulatorProgram
{
    private EmulatorProgram()
    {
    }

    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // One line per webhook attempt is the log worth reading; ASP.NET's per-request lines drown it.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddStripeEmulator();

        var app = builder.Build();
        app.MapStripeEmulator();

        await app.RunAsync();
    }
}
