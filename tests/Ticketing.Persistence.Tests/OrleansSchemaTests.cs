using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Storage;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// Proves sql/0001_orleans.sql against the real 10.4.2 providers: two silos
/// join one cluster through it, a reminder fires from it, grain state survives
/// a deactivation in it, and a stale write is refused by its version check.
/// </summary>
public sealed class OrleansSchemaTests : IAsyncLifetime
{
    private const string Storage = "orleans";
    private readonly string clusterId = "schema-" + Guid.NewGuid().ToString("N")[..8];
    private TestDatabase database = null!;
    private IHost first = null!;
    private IHost second = null!;

    public async Task InitializeAsync()
    {
        database = await TestDatabase.CreateAsync();
        first = Silo();
        await first.StartAsync();
        second = Silo();
        await second.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await second.StopAsync();
        await first.StopAsync();
        second.Dispose();
        first.Dispose();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task TwoSilos_JoinTheClusterThroughTheMembershipTable()
    {
        var management = Grains.GetGrain<IManagementGrain>(0);

        var active = await WaitFor(async () => (await management.GetHosts(onlyActive: true)).Count, count => count == 2);

        Assert.Equal(2, active);
        Assert.Equal(2L, await database.ScalarAsync("SELECT count(*) FROM orleans_membership WHERE status = 3 AND deployment_id = @id", ("id", clusterId)));
    }

    [Fact]
    public async Task Reminder_IsStoredAndFires()
    {
        var key = Guid.NewGuid();

        await Grains.GetGrain<IReminderProbeGrain>(key).Arm();

        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM orleans_reminders WHERE reminder_name = 'probe'"));
        var fired = await WaitFor(() => Task.FromResult(ReminderProbeGrain.Fired.GetValueOrDefault(key)), count => count >= 1);
        Assert.True(fired >= 1, "the reminder never fired");
    }

    [Fact]
    public async Task GrainState_SurvivesDeactivation()
    {
        var grain = Grains.GetGrain<ICounterProbeGrain>(Guid.NewGuid());
        await grain.Increment();
        await grain.Increment();

        await grain.Deactivate();

        Assert.Equal(2, await grain.Count());
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM orleans_storage WHERE version = 2"));
    }

    [Fact]
    public async Task GrainStorage_WhenTheETagIsStale_RefusesTheWrite()
    {
        var storage = first.Services.GetRequiredKeyedService<IGrainStorage>(Storage);
        var id = GrainId.Create("probe", Guid.NewGuid().ToString("N"));
        var fresh = new GrainState<CounterState>(new CounterState { Count = 1 });
        var stale = new GrainState<CounterState>(new CounterState { Count = 2 });

        await storage.WriteStateAsync("probe", id, fresh);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("probe", id, stale));
        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("probe", id, read);
        Assert.Equal(1, read.State!.Count);
        Assert.Equal(fresh.ETag, read.ETag);
    }

    private IGrainFactory Grains => first.Services.GetRequiredService<IGrainFactory>();

    private IHost Silo() => new HostBuilder()
        .UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = clusterId;
                options.ServiceId = clusterId;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, FreePort(), FreePort());
            silo.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = database.ConnectionString;
            });
            silo.UseAdoNetReminderService(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = database.ConnectionString;
            });
            silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.AddAdoNetGrainStorage(Storage, options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = database.ConnectionString;
            });
        })
        .Build();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<T> WaitFor<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var value = await probe();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            value = await probe();
        }

        return value;
    }
}

public interface IReminderProbeGrain : IGrainWithGuidKey
{
    Task Arm();
}

public sealed class ReminderProbeGrain : Grain, IReminderProbeGrain, IRemindable
{
    public static readonly ConcurrentDictionary<Guid, int> Fired = new();

    public Task Arm() => this.RegisterOrUpdateReminder("probe", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Fired.AddOrUpdate(this.GetPrimaryKey(), 1, (_, count) => count + 1);
        await this.UnregisterReminder(await this.GetReminder(reminderName) ?? throw new InvalidOperationException("reminder vanished"));
    }
}

public interface ICounterProbeGrain : IGrainWithGuidKey
{
    Task Increment();

    Task<int> Count();

    Task Deactivate();
}

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public int Count { get; set; }
}

public sealed class CounterProbeGrain([PersistentState("counter", "orleans")] IPersistentState<CounterState> counter) : Grain, ICounterProbeGrain
{
    public async Task Increment()
    {
        counter.State.Count++;
        await counter.WriteStateAsync();
    }

    public Task<int> Count() => Task.FromResult(counter.State.Count);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}
