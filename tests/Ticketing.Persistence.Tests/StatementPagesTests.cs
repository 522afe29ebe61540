using Npgsql;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// Tests that bound the pages a statement reads, as pg_stat_statements counts
/// them, rather than its time: each on a database of its own, filled by
/// <see cref="SeedAsync"/>, with statements prepared and planned generically
/// from the first run, as the service's warm connections have them.
/// </summary>
public abstract class StatementPagesTests : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    protected NpgsqlDataSource Prepared { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        await Database.ScalarAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        await SeedAsync(Database);
        Prepared = Database.PreparedDataSource();
    }

    public async Task DisposeAsync()
    {
        await Prepared.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Fills the test's database before its statements run.</summary>
    protected abstract Task SeedAsync(TestDatabase database);
}
