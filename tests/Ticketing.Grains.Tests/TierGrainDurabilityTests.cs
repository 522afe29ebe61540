using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Tiers;
using Ticketing.Grains.Tiers;
using Ticketing.Testing;

namespace Ticketing.Grains.Tests;

/// <summary>The tier grain on real PostgreSQL: restarts, lapsed holds, stale activations.</summary>
public sealed class TierGrainDurabilityTests
{
    [Fact]
    public async Task SiloRestart_KeepsEveryAcknowledgedHold()
    {
        await using var database = await TestDatabase.CreateAsync();
        Guid tierId;
        HashSet<Guid> acknowledged;
        int reservedBefore;
        await using (var before = new TicketingApp(database))
        {
            tierId = await TierSetup.CreateAsync(before, capacity: 150);
            var tier = before.Grains().GetGrain<ITicketTierGrain>(tierId);
            var results = await Gate.Race(100, i => tier.Reserve($"buyer-{i}", 1 + (i % 2)));
            acknowledged = results.Where(r => r.Outcome == TierOutcome.Done).Select(r => r.Hold!.Id).ToHashSet();
            reservedBefore = results.Where(r => r.Outcome == TierOutcome.Done).Sum(r => r.Hold!.Quantity);
        }

        await using var after = new TicketingApp(database);
        var reread = await after.Grains().GetGrain<ITicketTierGrain>(tierId).GetTier();

        Assert.Equal(100, acknowledged.Count);
        Assert.Equal(reservedBefore, reread.Tier!.Reserved);
        var active = await ActiveHoldIds(database, tierId);
        Assert.Equal(acknowledged.OrderBy(id => id), active.OrderBy(id => id));
        Assert.Equal(reread.Tier.Reserved, (int)(long)(await database.ScalarAsync(
            "SELECT sum(quantity) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'", ("id", tierId)))!);
    }

    [Fact]
    public async Task LapsedHold_IsFreedInTheDatabaseWithinSeconds()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:Holds:Ttl"] = "00:00:02" });
        using var lag = new MetricCollector<double>(app.Services.GetRequiredService<IMeterFactory>(), TierMetrics.MeterName, "hold_expiry_lag");
        var tierId = await TierSetup.CreateAsync(app, capacity: 3);
        var hold = await (await app.Buyer().PostJson("/api/holds", new { tierId, quantity = 3 })).AssertJson(HttpStatusCode.Created);
        var holdId = hold.GetProperty("id").GetGuid();

        var status = await Eventually.Value(
            () => database.ScalarAsync("SELECT status FROM ticketing.ticket_holds WHERE id = @id", ("id", holdId)),
            value => (string?)value == "expired",
            TimeSpan.FromSeconds(30));

        Assert.Equal("expired", status);
        var stored = (TimeSpan)(await database.ScalarAsync("SELECT ended_at - expires_at FROM ticketing.ticket_holds WHERE id = @id", ("id", holdId)))!;
        Assert.InRange(stored, TimeSpan.Zero, TimeSpan.FromSeconds(30));
        // The grain records the lag once the release is durable, just after the row is visible here.
        await Eventually.True(() => lag.GetMeasurementSnapshot().Count > 0, TimeSpan.FromSeconds(10), "the expiry's lag recorded");
        var measured = Assert.Single(lag.GetMeasurementSnapshot());
        Assert.InRange(measured.Value, 0, 30);
        Assert.Equal(0, await database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
        var tier = await (await app.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(3, tier.GetProperty("available").GetInt32());
        var read = await (await app.Buyer().GetAsync($"/api/holds/{holdId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("expired", read.GetProperty("status").GetString());
    }

    [Fact]
    public async Task LapsedHold_OfADeactivatedTier_IsFreedWhenTheReminderWakesIt()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?>
        {
            ["Ticketing:Holds:Ttl"] = "00:00:02",
            ["Ticketing:Holds:WakeUp"] = "00:00:03",
            // Only the reminder may free it: the activation's timer would never tick again anyway.
            ["Ticketing:Holds:ExpiryScan"] = "01:00:00",
        });
        var tierId = await TierSetup.CreateAsync(app, capacity: 3);
        var reserved = await app.Grains().GetGrain<ITicketTierGrain>(tierId).Reserve("sleepy-buyer", 2);

        await app.Grains().GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var status = await Eventually.Value(
            () => database.ScalarAsync("SELECT status FROM ticketing.ticket_holds WHERE id = @id", ("id", reserved.Hold!.Id)),
            value => (string?)value == "expired",
            TimeSpan.FromSeconds(45));

        Assert.Equal("expired", status);
        Assert.Equal(0, await database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
    }

    [Fact]
    public async Task StaleActivation_IsRefusedByTheVersionCheck_AndReloadsInsteadOfOverwriting()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database);
        var tierId = await TierSetup.CreateAsync(app, capacity: 10);
        var tier = app.Grains().GetGrain<ITicketTierGrain>(tierId);
        await tier.Reserve("first-buyer", 2);

        // Another writer (a duplicate activation, say) moves the row on behind this activation's back.
        await database.ScalarAsync(
            """
            WITH hold AS (
                INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
                VALUES (gen_random_uuid(), @id, 'elsewhere-buyer', 5, now() + interval '15 minutes'))
            UPDATE ticketing.ticket_tiers SET reserved_quantity = reserved_quantity + 5, version = version + 1 WHERE id = @id
            """,
            ("id", tierId));

        await Assert.ThrowsAsync<TierUnavailableException>(() => tier.Reserve("second-buyer", 4));
        var afterReload = await tier.Reserve("second-buyer", 4);

        Assert.Equal(TierOutcome.SoldOut, afterReload.Outcome); // 2 + 5 held of 10: the reloaded grain sees the other writer's hold
        var fits = await tier.Reserve("second-buyer", 3);
        Assert.Equal(TierOutcome.Done, fits.Outcome);
        Assert.Equal("10/10", await database.ScalarAsync(
            "SELECT format('%s/%s', quantity, reserved_quantity) FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
        Assert.Equal(10L, await database.ScalarAsync(
            "SELECT sum(quantity) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'", ("id", tierId)));
    }

    [Fact]
    public async Task Write_WithAStaleVersion_WritesNothingAtAll()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database);
        var tierId = await TierSetup.CreateAsync(app, capacity: 10);
        var repository = app.Services.GetRequiredService<Ticketing.Persistence.Tiers.TierRepository>();
        var state = (await repository.LoadAsync(tierId, CancellationToken.None))!;
        var hold = new HoldInfo(Guid.NewGuid(), tierId, "someone", 2, DateTimeOffset.UtcNow.AddMinutes(15), HoldStatus.Active);
        TierChange[] changes = [new HoldPlaced(hold)];
        var counted = state.Tier with { Reserved = 2 };
        var auditBefore = await database.ScalarAsync("SELECT count(*) FROM ticketing.audit_log");

        await Assert.ThrowsAsync<Ticketing.Persistence.Tiers.TierVersionConflictException>(
            () => repository.ApplyAsync(counted, state.Version + 1, changes, CancellationToken.None));

        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = @id", ("id", tierId)));
        Assert.Equal(auditBefore, await database.ScalarAsync("SELECT count(*) FROM ticketing.audit_log"));
        Assert.Equal(0, await database.ScalarAsync("SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id", ("id", tierId)));
        Assert.Equal(state.Version + 1, await repository.ApplyAsync(counted, state.Version, changes, CancellationToken.None));
        Assert.Equal(1L, await database.ScalarAsync("SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = @id", ("id", tierId)));
    }

    private static async Task<List<Guid>> ActiveHoldIds(TestDatabase database, Guid tierId)
    {
        await using var command = database.DataSource.CreateCommand("SELECT id FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'");
        command.Parameters.AddWithValue("id", tierId);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
