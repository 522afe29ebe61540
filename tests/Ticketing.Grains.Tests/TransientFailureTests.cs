using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Runtime.Messaging;
using Orleans.Serialization;
using Ticketing.Grains.Failures;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Grains.Tests;

/// <summary>Which failures are a dependency blinking (503, retry) and which are bugs (500).</summary>
public sealed class TransientFailureTests
{
    [Theory]
    [InlineData("08006")] // connection_failure
    [InlineData("08001")] // sqlclient_unable_to_establish_sqlconnection
    [InlineData("57P01")] // admin_shutdown: a fast shutdown cut the session off
    [InlineData("57P02")] // crash_shutdown
    [InlineData("57P03")] // cannot_connect_now: starting up or shutting down
    [InlineData("53300")] // too_many_connections
    public void PostgresError_OfAServerAway_IsTransient(string sqlState) =>
        Assert.True(TransientFailure.Is(Postgres(sqlState)));

    [Theory]
    [InlineData("40001")] // the schema's stale-version guard (expect_rows)
    [InlineData("40P01")]
    [InlineData("23505")]
    [InlineData("42P01")]
    [InlineData("22P02")]
    public void PostgresError_OfTheRequestOrTheCode_IsNot(string sqlState) =>
        Assert.False(TransientFailure.Is(Postgres(sqlState)));

    [Fact]
    public void RefusedOrBrokenConnection_IsTransient()
    {
        Assert.True(TransientFailure.Is(new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(TransientFailure.Is(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.True(TransientFailure.Is(new SocketException((int)SocketError.ConnectionReset)));
    }

    [Fact]
    public void NpgsqlException_WithoutABrokenConnection_IsNot() =>
        Assert.False(TransientFailure.Is(new NpgsqlException("The connection is already in state 'Executing'")));

    [Fact]
    public void SiloGoneOrCallUnanswered_IsTransient()
    {
        Assert.True(TransientFailure.Is(new SiloUnavailableException("The target silo became unavailable")));
        Assert.True(TransientFailure.Is(new ConnectionFailedException("Unable to connect to S127.0.0.1:11111:0")));
        Assert.True(TransientFailure.Is(new GatewayTooBusyException()));
        Assert.True(TransientFailure.Is(new TimeoutException("Response did not arrive on time")));
    }

    [Fact]
    public void Wrapped_IsJudgedByItsCause()
    {
        Assert.True(TransientFailure.Is(new InvalidOperationException("wrapper", new SiloUnavailableException())));
        Assert.True(TransientFailure.Is(new AggregateException(Postgres("57P03"), new TimeoutException())));
        Assert.False(TransientFailure.Is(new TierVersionConflictException(Guid.NewGuid(), 3, Postgres("40001"))));
    }

    [Fact]
    public void Bugs_AreNot()
    {
        Assert.False(TransientFailure.Is(new InvalidOperationException("a bug")));
        Assert.False(TransientFailure.Is(new ArgumentException("a bad argument")));
        Assert.False(TransientFailure.Is(new AggregateException()));
        // A bug beside a blink is still a bug.
        Assert.False(TransientFailure.Is(new AggregateException(Postgres("57P03"), new InvalidOperationException("a bug"))));
    }

    [Fact]
    public void DatabaseFailures_CrossToAnotherSilo_StillTransient()
    {
        using var services = new ServiceCollection().AddSerializer(serializer => serializer.AddAssembly(typeof(TransientFailure).Assembly)).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();

        Exception RoundTrip(Exception exception) => serializer.Deserialize<Exception>(serializer.SerializeToArray(exception))!;

        var shuttingDown = RoundTrip(Postgres("57P03"));
        var refused = RoundTrip(new InvalidOperationException("wrapper", new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused))));
        var unique = RoundTrip(Postgres("23505"));

        Assert.Equal("57P03", Assert.IsType<PostgresException>(shuttingDown).SqlState);
        Assert.True(TransientFailure.Is(shuttingDown));
        Assert.IsType<SocketException>(Assert.IsType<NpgsqlException>(refused.InnerException).InnerException);
        Assert.True(TransientFailure.Is(refused));
        Assert.False(TransientFailure.Is(unique));
    }

    private static PostgresException Postgres(string sqlState) => new("message", "FATAL", "FATAL", sqlState);
}
