using System.Diagnostics;
using Npgsql;
using Ticketing.Testing;

namespace Ticketing.Load.Tests;

/// <summary>
/// The CPU account names who used the CPU: a process given as the silo, the
/// PostgreSQL processes, this process; and what nobody named used.
/// </summary>
public sealed class CpuAccountTests
{
    [Fact]
    public async Task Account_CountsEachProcessItNames()
    {
        using var spinner = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;
        try
        {
            var account = CpuAccount.For(siloPid: spinner.Id, emulatorPid: null);
            Assert.NotNull(account);
            await using var database = await TestDatabase.CreateAsync();
            var start = account.Read();

            Spin(TimeSpan.FromMilliseconds(300));
            await using (var connection = new NpgsqlConnection(database.ConnectionString))
            {
                await connection.OpenAsync();
                await using var busy = new NpgsqlCommand("SELECT count(*) FROM generate_series(1, 3000000)", connection);
                await busy.ExecuteScalarAsync();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var end = account.Read();
            Assert.False(spinner.HasExited, $"the spinner standing in for the silo ended (exit code {(spinner.HasExited ? spinner.ExitCode : 0)}) before its CPU was read");
            var perRequest = account.PerRequest(start, end, requests: 1);
            Assert.True(account.Misses.Count == 0, $"reads failed: {string.Join("; ", account.Misses)}");

            // Microseconds of CPU for the one "request": generous floors, the machine is shared with the rest of the suite.
            var readings = $"from {start} to {end}";
            Assert.True(perRequest.Silo is >= 10_000 and <= 60_000_000, $"silo {perRequest.Silo} us, {readings}");
            Assert.True(perRequest.LoadGenerator is >= 100_000 and <= 60_000_000, $"load generator {perRequest.LoadGenerator} us, {readings}");
            Assert.True(perRequest.PostgreSql is >= 10_000 and <= 60_000_000, $"PostgreSQL {perRequest.PostgreSql} us, {readings}");
            Assert.Null(perRequest.Emulator);
            Assert.InRange(perRequest.IdlePercent, 0, 100);
            Assert.InRange(perRequest.StolenPercent, 0, 100);
            Assert.Contains("silo ", perRequest.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("Stripe emulator", perRequest.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            spinner.Kill();
            await spinner.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Read_OfANamedProcessThatEnded_KeepsItsLastReading_AndSaysSo()
    {
        using var spinner = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;
        var account = CpuAccount.For(siloPid: spinner.Id, emulatorPid: null)!;
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        var alive = account.Read();
        spinner.Kill();
        await spinner.WaitForExitAsync();

        var ended = account.Read();

        Assert.True(alive.Silo > 0, $"the spinner used no CPU: {alive}");
        Assert.Equal(alive.Silo, ended.Silo);
        Assert.Contains($"process {spinner.Id}", Assert.Single(account.Misses), StringComparison.Ordinal);
        Assert.Contains("1 reads of a named process failed", account.PerRequest(alive, ended, requests: 1).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PerRequest_DividesByTheRequests_LeavesTheRestToOther_AndTellsStealApart()
    {
        var account = CpuAccount.For(siloPid: 1, emulatorPid: 2)!;
        var start = new CpuReading(Silo: 100, PostgreSql: 200, Emulator: 50, LoadGenerator: 10, Busy: 1_000, Idle: 1_000, Stolen: 40);
        var end = new CpuReading(Silo: 300, PostgreSql: 350, Emulator: 100, LoadGenerator: 30, Busy: 1_500, Idle: 1_400, Stolen: 140);

        var perRequest = account.PerRequest(start, end, requests: 1_000);

        // 100 ticks a second: 200 ticks are 2 s, 2,000 us a request over 1,000 requests.
        Assert.Equal(2_000, perRequest.Silo);
        Assert.Equal(1_500, perRequest.PostgreSql);
        Assert.Equal(500, perRequest.Emulator);
        Assert.Equal(200, perRequest.LoadGenerator);
        Assert.Equal(800, perRequest.Other);
        // of 1,000 ticks: 400 idle, 100 stolen by the host
        Assert.Equal(40, perRequest.IdlePercent);
        Assert.Equal(10, perRequest.StolenPercent);
    }

    [Fact]
    public void PerRequest_WhenTheNamedProcessesOutrunTheMachinesCount_LeavesOtherAtZero()
    {
        // Process and machine counters are read a moment apart: the processes may show more than the machine did.
        var account = CpuAccount.For(siloPid: 1, emulatorPid: null)!;
        var start = new CpuReading(Silo: 0, PostgreSql: 0, Emulator: 0, LoadGenerator: 0, Busy: 0, Idle: 0, Stolen: 0);
        var end = new CpuReading(Silo: 300, PostgreSql: 100, Emulator: 0, LoadGenerator: 20, Busy: 400, Idle: 600, Stolen: 0);

        var perRequest = account.PerRequest(start, end, requests: 1);

        Assert.Equal(0, perRequest.Other);
        Assert.Equal(3_000_000, perRequest.Silo);
    }

    [Fact]
    public async Task Read_OfAPostgreSqlBackendThatExited_KeepsWhatItUsed()
    {
        var account = CpuAccount.For(siloPid: null, emulatorPid: null)!;
        await using var database = await TestDatabase.CreateAsync();
        var unpooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString;
        CpuReading start;
        await using (var connection = new NpgsqlConnection(unpooled))
        {
            await connection.OpenAsync();
            start = account.Read();
            await using var busy = new NpgsqlCommand("SELECT count(*) FROM generate_series(1, 3000000)", connection);
            await busy.ExecuteScalarAsync();
        }

        // Closed without a pool, the backend exits; a pool closing an idle connection does the same mid-run.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var end = account.Read();
        var perRequest = account.PerRequest(start, end, requests: 1);
        Assert.True(perRequest.PostgreSql >= 10_000, $"PostgreSQL {perRequest.PostgreSql} us from {start} to {end}");
    }

    private static void Spin(TimeSpan cpu)
    {
        var thread = Process.GetCurrentProcess().TotalProcessorTime;
        while (Process.GetCurrentProcess().TotalProcessorTime - thread < cpu)
        {
            for (var i = 0; i < 100_000; i++)
            {
                Thread.SpinWait(1);
            }
        }
    }
}
