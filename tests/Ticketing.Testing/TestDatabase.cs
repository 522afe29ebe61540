using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Ticketing.Persistence.Migrations;

namespace Ticketing.Testing;

/// <summary>
/// A database of its own for one test class, copied from a template that has
/// every migration applied, so that tests run in parallel without sharing rows.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly SemaphoreSlim TemplateGate = new(1, 1);
    private static string? templateName;

    private readonly string admin;

    private TestDatabase(string name, string connectionString, string admin)
    {
        Name = name;
        ConnectionString = connectionString;
        this.admin = admin;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var admin = await PostgresServer.AdminConnectionStringAsync();
        var template = await TemplateAsync(admin);
        var name = NewName();
        await ExecuteAsync(admin, $"CREATE DATABASE {name} TEMPLATE {template}");
        return new TestDatabase(name, new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 50 }.ConnectionString, admin);
    }

    /// <summary>
    /// A database on another server (<paramref name="admin"/> connects to its
    /// <c>postgres</c> database), every migration applied to it directly: a
    /// server of a test's own has no template.
    /// </summary>
    public static async Task<TestDatabase> CreateMigratedAsync(string admin)
    {
        var name = NewName();
        await ExecuteAsync(admin, $"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true, MaxPoolSize = 50 }.ConnectionString;
        await new SchemaMigrator(connectionString, NullLogger.Instance).ApplyAsync(CancellationToken.None);
        return new TestDatabase(name, connectionString, admin);
    }

    /// <summary>Runs one SQL statement, returning the first column of the first row.</summary>
    public async Task<object?> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }

    /// <summary>
    /// A data source whose statements are prepared from their first run and
    /// planned once for any values (a generic plan), as the service's are
    /// after five runs (<c>Max Auto Prepare</c>).
    /// </summary>
    public NpgsqlDataSource PreparedDataSource() =>
        NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString)
        {
            MaxAutoPrepare = 16,
            AutoPrepareMinUsages = 1,
            Options = "-c plan_cache_mode=force_generic_plan",
        }.ConnectionString);

    /// <summary>
    /// Drops what this database's statements have counted in pg_stat_statements
    /// so far: the first run on a connection also reads the catalogs, which
    /// the service's warm connections don't.
    /// </summary>
    public Task ForgetStatementsAsync() =>
        ScalarAsync("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)");

    /// <summary>Shared buffers read per call by this database's statements like <paramref name="pattern"/>; -1 if none ran.</summary>
    public async Task<long> PagesPerCallAsync(string pattern) =>
        (long)(await ScalarAsync(
            """
            SELECT coalesce(max((shared_blks_hit + shared_blks_read) / calls), -1)
            FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query LIKE @pattern
            """,
            ("pattern", pattern)))!;

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        using (var pooled = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }

    private static string NewName() => "test_" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>
    /// The migrated template, named after a hash of the migrations so a changed
    /// script gets a fresh one. Test processes run in parallel: an advisory lock
    /// lets one of them build it.
    /// </summary>
    private static async Task<string> TemplateAsync(string admin)
    {
        await TemplateGate.WaitAsync();
        try
        {
            if (templateName is not null)
            {
                return templateName;
            }

            var name = "template_" + MigrationsHash();
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            await ExecuteAsync(connection, "SELECT pg_advisory_lock(7357)");
            try
            {
                await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
                exists.Parameters.AddWithValue("name", name);
                if ((long)(await exists.ExecuteScalarAsync())! == 0)
                {
                    var building = name + "_building";
                    await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {building} WITH (FORCE)");
                    await ExecuteAsync(connection, $"CREATE DATABASE {building}");
                    var target = new NpgsqlConnectionStringBuilder(admin) { Database = building, Pooling = false }.ConnectionString;
                    await new SchemaMigrator(target, NullLogger.Instance).ApplyAsync(CancellationToken.None);
                    await ExecuteAsync(connection, $"ALTER DATABASE {building} RENAME TO {name}");
                }
            }
            finally
            {
                await ExecuteAsync(connection, "SELECT pg_advisory_unlock(7357)");
            }

            return templateName = name;
        }
        finally
        {
            TemplateGate.Release();
        }
    }

    private static string MigrationsHash()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        using var sha = SHA256.Create();
        foreach (var script in SchemaMigrator.Scripts)
        {
            using var stream = assembly.GetManifestResourceStream(script)!;
            var content = new StreamReader(stream).ReadToEnd();
            var bytes = Encoding.UTF8.GetBytes(script + "\n" + content);
            sha.TransformBlock(bytes, 0, bytes.Length, null, 0);
        }

        sha.TransformFinalBlock([], 0, 0);
        return Convert.ToHexStringLower(sha.Hash!)[..16];
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, sql);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
