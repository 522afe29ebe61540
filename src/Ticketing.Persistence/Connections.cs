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
    /// Nothing is compiled (JIT): every statement here runs in milliseconds,
    /// and one planned on statistics older than a rush is costed in the
    /// millions, which PostgreSQL takes as reason to compile it at every
    /// execution, 100 ms and more of CPU each time. At most 32 connections:
    /// PostgreSQL shares the silo's few cores, and each backend of a larger
    /// pool warms its own caches and plans, while few statements run at once.
    /// A connection string that sets any of these keeps its own.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.ContainsKey("Max Auto Prepare"))
        {
            tuned.MaxAutoPrepare = 64;
        }

        if (!given.ContainsKey("Maximum Pool Size"))
        {
            tuned.MaxPoolSize = 32;
        }

        if (!given.ContainsKey("No Reset On Close"))
        {
            tuned.NoResetOnClose = true;
        }

        if (tuned.Options?.Contains("jit", StringComparison.Ordinal) != true)
        {
            tuned.Options = $"{tuned.Options} -c jit=off".Trim();
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
    /// is costed at ten billion: one more reason these connections compile
    /// nothing (<see cref="Tuned"/>). A prepared statement keeps its first plan
    /// (plan_cache_mode): left to choose, PostgreSQL plans again at every
    /// execution any statement whose plan for unknown values it costs above
    /// one for the values given, as it does a read by a list of keys (ten
    /// keys expected against the list's own length). A connection string
    /// whose Options set enable_seqscan or plan_cache_mode keeps its own.
    /// </summary>
    public static string Keyed(string connectionString)
    {
        var keyed = new NpgsqlConnectionStringBuilder(Tuned(connectionString));
        if (keyed.Options?.Contains("enable_seqscan", StringComparison.Ordinal) != true)
        {
            keyed.Options = $"{keyed.Options} -c enable_seqscan=off".Trim();
        }

        if (keyed.Options?.Contains("plan_cache_mode", StringComparison.Ordinal) != true)
        {
            keyed.Options = $"{keyed.Options} -c plan_cache_mode=force_generic_plan".Trim();
        }

        return keyed.ConnectionString;
    }
}
