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

    [Fact]
    public async Task EventOrganizations_AreBackfilledFromTheirCreator()
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var name = "migrate_" + Guid.NewGuid().ToString("N")[..12];
        await Execute(admin, $"CREATE DATABASE {name}");
        var target = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = false }.ConnectionString;
        try
        {
            var before = SchemaMigrator.Scripts.TakeWhile(script => string.CompareOrdinal(script, "sql.0017") < 0).ToList();
            foreach (var script in before)
            {
                await Execute(target, Script(script));
            }

            await Execute(target, "INSERT INTO ticketing.events (id, title, starts_at, created_by) VALUES (gen_random_uuid(), 'Old', now(), 'olga')");
            foreach (var script in SchemaMigrator.Scripts.Skip(before.Count))
            {
                await Execute(target, Script(script));
            }

            await using var data = NpgsqlDataSource.Create(target);
            await using var read = data.CreateCommand("SELECT organization_id FROM ticketing.events WHERE title = 'Old'");
            Assert.Equal("olga", await read.ExecuteScalarAsync());
            await using var missing = data.CreateCommand("INSERT INTO ticketing.events (id, title, starts_at, created_by) VALUES (gen_random_uuid(), 'New', now(), 'x')");
            var refused = await Assert.ThrowsAsync<PostgresException>(() => missing.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.NotNullViolation, refused.SqlState);
        }
        finally
        {
            await Execute(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    private static string Script(string name)
    {
        using var reader = new StreamReader(typeof(SchemaMigrator).Assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
