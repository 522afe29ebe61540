using System.Net.Sockets;
using Npgsql;
using Orleans.Runtime.Messaging;
using Ticketing.Abstractions.OnSales;

namespace Ticketing.Grains.Failures;

/// <summary>
/// The one place that tells a dependency blinking from a bug: PostgreSQL
/// restarting, refusing or dropping connections, a silo gone, a grain call
/// unanswered. The same request can succeed once the dependency is back, and
/// nothing of it was kept (a write that failed rolled back whole). Callers
/// answer these 503 with Retry-After; anything else is a bug (500).
/// </summary>
public static class TransientFailure
{
    /// <summary>
    /// True when <paramref name="exception"/>, or what it wraps, is a
    /// dependency blinking. An <see cref="AggregateException"/> is one only
    /// when all it holds are: a bug beside a blink is still a bug.
    /// </summary>
    public static bool Is(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(Is),
        _ when IsItself(exception) => true,
        { InnerException: { } cause } => Is(cause),
        _ => false,
    };

    private static bool IsItself(Exception exception) => exception switch
    {
        PostgresException postgres => IsTransientState(postgres.SqlState),
        // Not an error PostgreSQL answered: the connection broke, was refused or timed out.
        NpgsqlException npgsql => npgsql.IsTransient,
        SocketException => true,
        // Includes SiloUnavailableException: the target silo is dead or unreachable.
        OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException => true,
        // A grain call's response did not arrive in time.
        TimeoutException => true,
        // A queue shard's write failed; joining again is safe.
        QueueUnavailableException => true,
        _ => false,
    };

    /// <summary>
    /// Connection exceptions (class 08), shutdown, start-up and too many
    /// connections. Not serialization_failure (40001): this schema raises it
    /// as its stale-version guard, and every writer catches it; nor a
    /// deadlock (40P01): no two writers lock rows in opposite orders.
    /// </summary>
    private static bool IsTransientState(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal)
        || sqlState is PostgresErrorCodes.AdminShutdown
            or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow
            or PostgresErrorCodes.TooManyConnections;
}
