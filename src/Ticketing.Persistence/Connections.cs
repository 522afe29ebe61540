using Npgsql;

namespace Ticketing.Persistence;

/// <summary>How the service's connections to PostgreSQL are set up.</summary>
public static class Connections
{
    /// <summary>
    /// The hot statements (holds, scans, orders) are planned once per
    /// connection and then only executed: planning would be a large part of a
    /// scan write's time. A connection back in the pool is not reset: this code keeps
    /// no session state (no SET, no session advisory locks, no temporary
    /// tables), and the reset would be three statements for every one of ours.
    /// A connection string that sets either keeps its own.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            tuned.MaxAutoPrepare = 64;
        }

        if (!given.ContainsKey("No Reset On Close"))
        {
            tuned.NoResetOnClose = true;
        }

        return tuned.ConnectionString;
    }

    /// <summary>
    /// <see cref="Tuned"/>, for statements that go to their rows by key, as
    /// every statement of a buyer's or a gate's request does: planned never to
    /// read a whole table where an index serves. A statement is planned once
    /// for any values on each connection and keeps that plan until PostgreSQL
    /// next analyzes its tables (autovacuum looks once a minute); planned while
    /// a new database's tables are a page or two, reading them whole is the
    /// cheaper plan, and it would stay into the first on-sale as the tables
    /// grow, a hold's read by key reading the whole table (FirstRushPlanTests;
    /// the cost: docs/performance.md). The operations
    /// store's recounts read whole tables on purpose and keep
    /// <see cref="Tuned"/>. Without the whole-table read, a statement that has
    /// no other plan (reading a sequence, a table with no index that serves)
    /// is costed at ten billion, which PostgreSQL before 18 takes as reason to
    /// compile it (JIT) at every execution: tens of milliseconds of CPU for a
    /// one-row read. These connections therefore compile nothing. A connection
    /// string whose Options set enable_seqscan keeps its own, and one that sets
    /// jit its own JIT.
    /// </summary>
    public static string Keyed(string connectionString)
    {
        var keyed = new NpgsqlConnectionStringBuilder(Tuned(connectionString));
        if (keyed.Options?.Contains("enable_seqscan", StringComparison.Ordinal) != true)
        {
            var jit = keyed.Options?.Contains("jit", StringComparison.Ordinal) == true ? "" : " -c jit=off";
            keyed.Options = $"{keyed.Options} -c enable_seqscan=off{jit}".Trim();
        }

        return keyed.ConnectionString;
    }
}
