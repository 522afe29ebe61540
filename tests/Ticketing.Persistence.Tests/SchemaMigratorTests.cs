using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Ticketing.Persistence.Migrations;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

public sealed class SchemaMigratorTests
{
    [Fact]
    public async Task Apply_FromThreeSilosAtOnce_AppliesEachScriptOnce()
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var name = "migrate_" + Guid.NewGuid().ToString("N")[..12];
        await Execute(admin, $"CREATE DATABASE {name}");
        var target = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        try
        {
            using var start = new Barrier(3);
            var silos = Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
            {
                start.SignalAndWait();
                await new SchemaMigrator(target, NullLogger.Instance).ApplyAsync(CancellationToken.None);
            }));

            await Task.WhenAll(silos);

            var migrator = new SchemaMigrator(target, NullLogger.Instance);
            Assert.Empty(migrator.PendingScripts());
            await using var data = NpgsqlDataSource.Create(target);
            await using var journal = data.CreateCommand("SELECT count(*), count(DISTINCT scriptname) FROM public.schema_versions");
            await using var reader = await journal.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(SchemaMigrator.Scripts.Count, reader.GetInt64(0));
            Assert.Equal(SchemaMigrator.Scripts.Count, reader.GetInt64(1));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Execute(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    [Fact]
    public void Scripts_AreNumberedAndSayHowToRollBack()
    {
        var assembly = typeof(SchemaMigrator).Assembly;

        Assert.NotEmpty(SchemaMigrator.Scripts);
        foreach (var script in SchemaMigrator.Scripts)
        {
            Assert.Matches(@"^sql\.\d{4}_[a-z0-9_]+\.sql$", script);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(script)!);
            Assert.Contains("Roll back:", reader.ReadToEnd(), StringComparison.Ordinal);
        }
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
