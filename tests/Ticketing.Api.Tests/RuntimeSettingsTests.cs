using System.Text.Json;

namespace Ticketing.Api.Tests;

/// <summary>
/// The runtime settings the silo ships with, as its runtimeconfig.json gives
/// them to every way of starting it (bench, container, dotnet run): each was
/// measured in an on-sale's opening (docs/performance.md).
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void TheSilo_RunsServerGcWithoutDatas_AndThreadPoolWorkersThatDoNotSpin()
    {
        var settings = SiloRuntimeSettings();

        Assert.True(settings.GetProperty("System.GC.Server").GetBoolean());
        Assert.Equal(0, settings.GetProperty("System.GC.DynamicAdaptationMode").GetInt32());
        Assert.Equal(0, settings.GetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit").GetInt32());
    }

    private static JsonElement SiloRuntimeSettings()
    {
        // Copied next to the tests with the silo's assembly, as the SDK does for a referenced application.
        var path = Path.Combine(AppContext.BaseDirectory, "Ticketing.Api.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone();
    }
}
