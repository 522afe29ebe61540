using Ticketing.Api.Limits;
using Ticketing.Load.Scenarios;
using Ticketing.Testing;

namespace Ticketing.Load.Tests;

/// <summary>
/// The scenarios run against a silo with its shipped rate limits, as a
/// benchmark does: the harness's idea of those limits is the silo's, and a
/// scenario's virtual users, each sending far more than a person, take turns
/// as enough identities that none is refused. Correctness only, never speed.
/// </summary>
public sealed class PacingTests
{
    private static readonly LoadShape Short = new(Users: 20, Rate: null, Duration: TimeSpan.FromSeconds(3), Warmup: TimeSpan.Zero);

    [Fact]
    public void TheHarnessPaces_UnderTheSilosDefaultLimits()
    {
        var silo = new RateLimitOptions();

        Assert.Equal((silo.Holds.PerMinute, silo.Holds.Burst), (SiloLimits.Holds.PerMinute, SiloLimits.Holds.Burst));
        Assert.Equal((silo.Orders.PerMinute, silo.Orders.Burst), (SiloLimits.Orders.PerMinute, SiloLimits.Orders.Burst));
        Assert.Equal((silo.Queue.PerMinute, silo.Queue.Burst), (SiloLimits.Queue.PerMinute, SiloLimits.Queue.Burst));
        Assert.Equal((silo.Scans.PerMinute, silo.Scans.Burst), (SiloLimits.Scans.PerMinute, SiloLimits.Scans.Burst));
        Assert.Equal((silo.Anonymous.PerMinute, silo.Anonymous.Burst), (SiloLimits.Anonymous.PerMinute, SiloLimits.Anonymous.Burst));
    }

    [Fact]
    public async Task HotTier_OnASiloAsShipped_IsNeverRateLimited()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var settings = new TicketingApp(database);
        await using var silo = await SiloProcess.StartAsync(settings.Settings, TimeSpan.FromSeconds(60));
        using var api = new TicketingApi(silo.Address, TicketingApp.SigningKey, Short.Users);

        var run = await HotTier.RunAsync(api, Short, cpu: null);

        Assert.True(run.Failures.Count == 0, $"failures: {string.Join(", ", run.Failures)}; silo: {silo.RecentOutput}");
        Assert.Equal(0, run.RateLimited);
        Assert.True(run.Requests > 0);
        Assert.True(run.Identities > Short.Users, $"{run.Identities} buyers for {Short.Users} virtual users: they never took turns");
    }

    [Fact]
    public async Task RoomLook_OnASiloAsShipped_IsNeverRateLimited_AndEveryLookFindsAPlace()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var settings = new TicketingApp(database);
        await using var silo = await SiloProcess.StartAsync(settings.Settings, TimeSpan.FromSeconds(60));
        using var api = new TicketingApi(silo.Address, TicketingApp.SigningKey, Short.Users);

        // Fewer joined beforehand than the run needs: the rest join in their first step.
        var run = await RoomLook.RunAsync(api, Short, cpu: null, joinedBeforehand: 30);

        Assert.True(run.Failures.Count == 0, $"failures: {string.Join(", ", run.Failures)}");
        Assert.Equal(0, run.RateLimited);
        Assert.Equal(run.Requests, run.Successes);
        Assert.True(run.Identities > 30, $"{run.Identities} buyers: none joined in its first step");
    }

    [Fact]
    public async Task Scan_AndItsReference_OnASiloAsShipped_AreNeverRateLimited()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database).Start();
        using var api = new TicketingApi(app.Server.BaseAddress, TicketingApp.SigningKey, Short.Users, app.Server.CreateHandler());

        var reference = await Scan.ReferenceAsync(api, Short, cpu: null);
        var scan = await Scan.RunAsync(api, Short, tickets: 2_000, database.ConnectionString, cpu: null);

        foreach (var run in new[] { reference, scan })
        {
            Assert.True(run.Failures.Count == 0, $"{run.Name}: {string.Join(", ", run.Failures)}");
            Assert.True(run.Requests > 0, run.Name);
            Assert.True(run.Identities > Short.Users, $"{run.Name}: {run.Identities} identities for {Short.Users} virtual users: they never took turns");
        }
    }
}
