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

        Assert.Equal(3_500, SiloMetrics.HeapFromMetrics(metrics));
        Assert.Null(SiloMetrics.HeapFromMetrics("process_cpu_seconds_total 3"));
    }

    [Fact]
    public void GcFromMetrics_ReadsCollectionsByGeneration_PausesAndAllocations()
    {
        const string before = """
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 2
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen1"} 3
            dotnet_gc_collections_total{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 10
            dotnet_gc_pause_time_seconds_total{otel_scope_name="System.Runtime"} 1.5
            dotnet_gc_heap_total_allocated_bytes_total{otel_scope_name="System.Runtime"} 2012001440
            """;
        const string after = """
            dotnet_gc_collections_total{gc_heap_generation="gen0"} 16
            dotnet_gc_collections_total{gc_heap_generation="gen1"} 5
            dotnet_gc_collections_total{gc_heap_generation="gen2"} 2
            dotnet_gc_pause_time_seconds_total 2.3 1764900000000
            dotnet_gc_heap_total_allocated_bytes_total 2.512001440e9
            """;

        var first = SiloMetrics.GcFromMetrics(before);
        var second = SiloMetrics.GcFromMetrics(after);

        Assert.Equal(new GcReading(10, 3, 2, 1.5, 2_012_001_440), first);
        Assert.Equal(new GcReading(16, 5, 2, 2.3, 2_512_001_440), second);
        Assert.Equal(
            "8 collections (6 gen0, 2 gen1, 0 gen2), 0.80 s paused: 8.0% of 10 s, 100 ms a collection; 500 MB allocated, 50.0 MB/s",
            second.Since(first, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void SiloHoldTimes_AddUpTheHoldRoutesAnswers_AndTellTheP99sBucket()
    {
        const string before = """
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="201",http_route="/api/holds/",le="0.025"} 90
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="201",http_route="/api/holds/",le="0.05"} 95
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="201",http_route="/api/holds/",le="+Inf"} 100
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="201",http_route="/api/orders/",le="+Inf"} 7
            """;
        const string after = """
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="201",http_route="/api/holds/",le="0.025"} 980
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="201",http_route="/api/holds/",le="0.05"} 1090
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="201",http_route="/api/holds/",le="+Inf"} 1100
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="409",http_route="/api/holds/",le="0.025"} 100
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="409",http_route="/api/holds/",le="0.05"} 100
            http_server_request_duration_seconds_bucket{http_request_method="POST",http_response_status_code="409",http_route="/api/holds/",le="+Inf"} 100
            http_server_request_duration_seconds_bucket{http_request_method="DELETE",http_response_status_code="204",http_route="/api/holds/",le="+Inf"} 50
            """;

        var window = SiloHoldTimes.FromMetrics(after).Since(SiloHoldTimes.FromMetrics(before));

        Assert.Equal(1_100, window.Count);
        Assert.Equal(0.05, window.P99AtMostSeconds());
        Assert.Equal(990 / 1_100.0, window.ShareWithin(0.025));
        Assert.Equal("p99 at most 50 ms over 1100, 90.0% within 25 ms", window.ToString());
        Assert.Equal("no holds", SiloHoldTimes.FromMetrics("process_cpu_seconds_total 3").ToString());
    }

    [Fact]
    public void ThreadPoolQueueFromMetrics_ReadsTheQueuesLength()
    {
        const string metrics = """
            # TYPE dotnet_thread_pool_queue_length_total gauge
            dotnet_thread_pool_queue_length_total{otel_scope_name="System.Runtime"} 2718 1764900000000
            dotnet_thread_pool_queue_length_seconds 5
            """;

        Assert.Equal(2_718, SiloMetrics.ThreadPoolQueueFromMetrics(metrics));
        Assert.Null(SiloMetrics.ThreadPoolQueueFromMetrics("process_cpu_seconds_total 3"));
    }

    [Fact]
    public void JitFromMetrics_ReadsTheMethodsCompiledAndTheTimeSpent()
    {
        const string before = """
            # TYPE dotnet_jit_compiled_methods_total counter
            dotnet_jit_compiled_methods_total{otel_scope_name="System.Runtime"} 48000 1764900000000
            dotnet_jit_compiled_il_size_bytes_total{otel_scope_name="System.Runtime"} 9000000
            dotnet_jit_compilation_time_seconds_total{otel_scope_name="System.Runtime"} 41.25
            """;
        const string after = """
            dotnet_jit_compiled_methods_total 51150
            dotnet_jit_compilation_time_seconds_total 44.5 1764900000000
            """;

        var first = SiloMetrics.JitFromMetrics(before);
        var second = SiloMetrics.JitFromMetrics(after);

        Assert.Equal(new JitReading(48_000, 41.25), first);
        Assert.Equal("3150 methods compiled, 3250 ms of compiling", second!.Value.Since(first!.Value));
        Assert.Null(SiloMetrics.JitFromMetrics("dotnet_jit_compiled_methods_total 3"));
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
