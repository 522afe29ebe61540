using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>What the shipped logging settings (appsettings.json) turn on and off.</summary>
public sealed class LoggingDefaultsTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public void HostingDiagnostics_AreOff_SoARequestStartsNoActivity_WhileFailuresAreStillLogged()
    {
        var loggers = fixture.App.Services.GetRequiredService<ILoggerFactory>();

        // ASP.NET Core starts an Activity and a log scope for every request
        // when this category is enabled at all, though nothing exports traces.
        Assert.False(loggers.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware").IsEnabled(LogLevel.Error));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Error));
        Assert.True(loggers.CreateLogger("Microsoft.Extensions.Hosting.Internal.Host").IsEnabled(LogLevel.Error));
        Assert.False(loggers.CreateLogger("Ticketing.Api").IsEnabled(LogLevel.Information));
        Assert.True(loggers.CreateLogger("Ticketing.Api").IsEnabled(LogLevel.Warning));
    }
}
