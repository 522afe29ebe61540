using Npgsql;
using Ticketing.Persistence.OnSales;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

public sealed class ConnectionsTests
{
    [Fact]
    public void Connections_PrepareStatementsAndSkipTheReset_ByDefault()
    {
        var tuned = new NpgsqlConnectionStringBuilder(Connections.Tuned("Host=db;Database=ticketing;Username=app"));

        Assert.Equal((64, true, 32), (tuned.MaxAutoPrepare, tuned.NoResetOnClose, tuned.MaxPoolSize));
        Assert.Equal(("db", "ticketing", "app"), (tuned.Host, tuned.Database, tuned.Username));
        Assert.Equal("-c jit=off", tuned.Options);
    }

    [Fact]
    public void AConnectionStringThatSaysOtherwise_KeepsItsOwnSettings()
    {
        var kept = new NpgsqlConnectionStringBuilder(
            Connections.Keyed("Host=db;Database=ticketing;Max Auto Prepare=0;No Reset On Close=false;Maximum Pool Size=100;Options=-c enable_seqscan=on -c jit=on -c plan_cache_mode=auto"));

        Assert.Equal((0, false, 100, "-c enable_seqscan=on -c jit=on -c plan_cache_mode=auto"), (kept.MaxAutoPrepare, kept.NoResetOnClose, kept.MaxPoolSize, kept.Options));
    }

    [Fact]
    public void KeyedConnections_AreTunedAndPlanNoWholeTableReads_KeepingOtherOptions()
    {
        var keyed = new NpgsqlConnectionStringBuilder(Connections.Keyed("Host=db;Database=ticketing;Options=-c statement_timeout=5000"));

        Assert.Equal((64, true), (keyed.MaxAutoPrepare, keyed.NoResetOnClose));
        Assert.Equal("-c statement_timeout=5000 -c jit=off -c enable_seqscan=off -c plan_cache_mode=force_generic_plan", keyed.Options);
    }

    [Fact]
    public async Task APreparedReadByAListOfKeys_IsPlannedOnce_OnAKeyedConnection()
    {
        // The per-buyer cap's read: its plan for unknown values expects ten claimed holds, the one for the values
        // given none, so PostgreSQL left to choose planned it again at every execution.
        await using var database = await TestDatabase.CreateAsync();
        await using var service = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(Connections.Keyed(database.ConnectionString)) { MaxPoolSize = 1 }.ConnectionString);
        var store = new BuyerTicketStore(service);
        for (var i = 0; i < 20; i++)
        {
            await store.ReadAsync(Guid.NewGuid(), $"buyer-{i}", DateTimeOffset.UtcNow, [], CancellationToken.None);
        }

        await using var connection = await service.OpenConnectionAsync();
        await using var plans = new NpgsqlCommand(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%buyer_orders AS (%'", connection);
        await using var reader = await plans.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync(), "the read was prepared");
        Assert.Equal((0L, true), (reader.GetInt64(1), reader.GetInt64(0) > 0));
    }

    [Fact]
    public async Task AReadWithNoPlanButAWholeTableRead_IsNotCompiled_OnAKeyedConnection()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var connection = new NpgsqlConnection(Connections.Keyed(database.ConnectionString));
        await connection.OpenAsync();
        // The admission round's watermark: a sequence has no index, so its only plan reads it whole.
        await using var explain = new NpgsqlCommand(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM ticketing.queue_arrivals", connection);

        var plan = (string)(await explain.ExecuteScalarAsync())!;

        Assert.Contains("\"Seq Scan\"", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("\"JIT\"", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStatementPlannedAsCostly_IsNotCompiled_OnTheRecountsConnections()
    {
        // The operations store's on-sale gauge, planned on a table whose statistics predate the rush, was
        // costed in the millions and compiled (JIT) at every execution: 100 ms of CPU for a 10 ms read.
        await using var database = await TestDatabase.CreateAsync();
        await using var connection = new NpgsqlConnection(Connections.Tuned(database.ConnectionString));
        await connection.OpenAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) SELECT sum(g) FROM generate_series(1, 100000000) g", connection);

        var plan = (string)(await explain.ExecuteScalarAsync())!;

        Assert.Contains("\"Total Cost\"", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("\"JIT\"", plan, StringComparison.Ordinal);
    }
}
