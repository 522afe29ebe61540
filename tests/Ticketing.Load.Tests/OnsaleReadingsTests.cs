using Ticketing.Load.Scenarios;

namespace Ticketing.Load.Tests;

/// <summary>What the on-sale scenario reads from the silo's answers and metrics.</summary>
public sealed class OnsaleReadingsTests
{
    [Fact]
    public void HeapFromMetrics_SumsTheGenerations_AndIgnoresOtherSeries()
    {
        const string metrics = """
            # TYPE dotnet_gc_last_collection_heap_size_bytes gauge
            dotnet_gc_last_collection_heap_size_bytes{gc_heap_generation="gen0",otel_scope_name="System.Runtime"} 1000 1764900000000
            dotnet_gc_last_collection_heap_size_bytes{gc_heap_generation="loh"} 2.5e3
            dotnet_gc_last_collection_heap_size_bytes_total 7
            dotnet_gc_heap_total_allocated_bytes 9000
            """;

        Assert.Equal(3_500, SiloMemory.HeapFromMetrics(metrics));
        Assert.Null(SiloMemory.HeapFromMetrics("process_cpu_seconds_total 3"));
    }

    [Fact]
    public void QueueAnswer_Admitted_CarriesThePassAndWhen()
    {
        var answer = QueueAnswer.Parse("""
            {"eventId":"0193f0c4-7b1a-7000-8000-000000000001","status":"admitted","position":null,"joinedAt":"2026-12-05T08:00:00+00:00",
             "estimatedAdmissionAt":"2026-12-05T08:00:21+00:00","pass":{"token":"p1.abc.def","expiresAt":"2026-12-05T08:10:21+00:00"}}
            """);

        Assert.True(answer.Admitted);
        Assert.Null(answer.Position);
        Assert.Equal("p1.abc.def", answer.PassToken);
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T08:00:21+00:00", System.Globalization.CultureInfo.InvariantCulture), answer.EstimatedAdmissionAt);
    }

    [Fact]
    public void QueueAnswer_Waiting_HasAPlaceAndNoPass()
    {
        var answer = QueueAnswer.Parse("""
            {"status":"waiting","position":42,"joinedAt":"2026-12-05T08:00:00Z","estimatedAdmissionAt":"2026-12-05T08:01:00Z","pass":null}
            """);

        Assert.False(answer.Admitted);
        Assert.Equal(42, answer.Position);
        Assert.Null(answer.PassToken);
    }
}
