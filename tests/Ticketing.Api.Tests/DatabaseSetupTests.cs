using Npgsql;
using Ticketing.Api.Hosting;

namespace Ticketing.Api.Tests;

public sealed class DatabaseSetupTests
{
    [Fact]
    public void Connections_PrepareStatementsAndSkipTheReset_ByDefault()
    {
        var tuned = new NpgsqlConnectionStringBuilder(DatabaseSetup.Tuned("Host=db;Database=ticketing;Username=app"));

        Assert.Equal((64, true), (tuned.MaxAutoPrepare, tuned.NoResetOnClose));
        Assert.Equal(("db", "ticketing", "app"), (tuned.Host, tuned.Database, tuned.Username));
    }

    [Fact]
    public void AConnectionStringThatSaysOtherwise_KeepsItsOwnSettings()
    {
        var kept = new NpgsqlConnectionStringBuilder(
            DatabaseSetup.Tuned("Host=db;Database=ticketing;Max Auto Prepare=0;No Reset On Close=false"));

        Assert.Equal((0, false), (kept.MaxAutoPrepare, kept.NoResetOnClose));
    }
}
