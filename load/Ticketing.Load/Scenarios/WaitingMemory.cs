using System.Diagnostics;
using System.Net;
using Npgsql;
using Spectre.Console;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// What a waiting room of --waiting buyers costs the silo's memory, measured
/// from outside. Joining a million buyers over HTTP would take this machine
/// many minutes, so their places are written straight into
/// <c>queue_entries</c> as their shards would have written them (each row on
/// the buyer's shard: the low bits of SHA-256 of the user id); at the opening
/// every shard reads its places again with the drawn seed, so the silo then
/// holds all of them in its lines. A sample of the buyers then reads its
/// place through the API, which shows the places were taken in. The silo's
/// resident set and managed heap are read before the rows are written and
/// once the lines hold them. Connections, tokens and rate-limit buckets of
/// buyers polling at that moment are not in this figure: the onsale scenario
/// measures those with its pages.
/// </summary>
public static class WaitingMemory
{
    private const int Sampled = 32;
    private const int Chunk = 100_000;

    /// <remarks>A test passes <paramref name="handler"/> (an in-process silo) and fewer <paramref name="settleReadings"/>.</remarks>
    public static async Task<(RunResult Result, List<string> Notes)> RunAsync(
        TicketingApi api, int waiting, string connectionString, int? siloPid, HttpMessageHandler? handler = null, int settleReadings = 12)
    {
        using var memory = new SiloMetrics(api.Target, handler is null ? siloPid : null, handler);
        var eventId = (await api.GetTierAsync(await api.CreateTierAsync("Waiting room memory", capacity: 1000))).GetProperty("eventId").GetGuid();
        // Opening an hour ahead while the rows are written, then moved to now: one admission a minute leaves the line whole while it is measured.
        await PutOnSaleAsync(api, eventId, DateTimeOffset.UtcNow.AddHours(1));
        AnsiConsole.MarkupLineInterpolated($"[bold]waiting-memory[/]: {waiting} places to write for an on-sale, then its opening");

        await Task.Delay(TimeSpan.FromSeconds(3)); // the shards activate empty
        var before = await SettledAsync(memory, settleReadings);

        await using var database = NpgsqlDataSource.Create(connectionString);
        var onSaleId = (Guid)(await Scalar(database, "SELECT id FROM ticketing.onsales WHERE event_id = @id", ("id", eventId)))!;
        var tag = eventId.ToString("N")[..8];
        var writing = Stopwatch.StartNew();
        for (var from = 0; from < waiting; from += Chunk)
        {
            await Scalar(database,
                """
                INSERT INTO ticketing.queue_entries (onsale_id, user_id, shard, early, joined_at)
                SELECT @onsale_id, u.id, get_byte(sha256(convert_to(u.id, 'UTF8')), 15) % 8, true, now()
                FROM (SELECT 'waiting-' || @tag || '-' || g AS id FROM generate_series(@from, @to) AS g) AS u
                """,
                ("onsale_id", onSaleId), ("tag", tag), ("from", from), ("to", Math.Min(waiting, from + Chunk) - 1));
        }

        AnsiConsole.MarkupLineInterpolated($"[grey]waiting-memory: {waiting} places written in {writing.Elapsed.TotalSeconds:0.0} s; the opening reads them[/]");
        var opensAt = await PutOnSaleAsync(api, eventId, DateTimeOffset.UtcNow.AddSeconds(2));
        var counted = await CountedAsync(api, eventId, waiting, opensAt + TimeSpan.FromMinutes(3));

        // Buyers spread over the places: each must find its place through the API.
        var found = 0;
        var reads = new LoadRun.Recorder();
        var reading = Stopwatch.StartNew();
        for (var i = 0; i < Sampled; i++)
        {
            var userId = $"waiting-{tag}-{(long)i * waiting / Sampled}";
            var sent = Stopwatch.GetTimestamp();
            var (placeStatus, place) = await api.SendAsync(HttpMethod.Get, $"/api/events/{eventId}/queue", userId, "buyer", null, CancellationToken.None);
            var placed = placeStatus == HttpStatusCode.OK && place.TryGetProperty("status", out var s) && s.GetString() is "waiting" or "admitted";
            reads.Record(placed ? StepOutcome.Success : StepOutcome.Failed($"{(int)placeStatus} no place"), Stopwatch.GetTimestamp() - sent);
            found += placed ? 1 : 0;
        }

        var sampledResult = reads.Result($"waiting-memory: {Sampled} of {waiting} waiting buyers read their place", new LoadShape(1, null, reading.Elapsed, TimeSpan.Zero), reading.Elapsed);

        var after = await SettledAsync(memory, settleReadings);
        var notes = new List<string>
        {
            $"waiting-memory: the on-sale counted {counted} of {waiting} waiting once open; {found} of {Sampled} sampled buyers found their place through the API (each must)",
            $"silo memory with {waiting} waiting, their places only: {after.PerWaitingBuyer(before, waiting)}",
        };

        // The room closes and its shards let their lines go.
        await api.SendAsync(HttpMethod.Delete, $"/api/events/{eventId}/onsale", TicketingApi.Organizer, "organizer", null, CancellationToken.None);
        return (sampledResult, notes);
    }

    /// <summary>The silo's memory once two readings a few seconds apart agree within 2 % (or after <paramref name="readings"/> more): collections have run since the last change.</summary>
    private static async Task<MemoryReading> SettledAsync(SiloMetrics memory, int readings)
    {
        var last = await memory.ReadMemoryAsync();
        for (var i = 0; i < readings; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            var next = await memory.ReadMemoryAsync();
            if (next.HeapBytes is { } heap && last.HeapBytes is { } previous && Math.Abs(heap - previous) <= previous / 50)
            {
                return next;
            }

            last = next;
        }

        return last;
    }

    /// <summary>Waits until the on-sale counts the places as waiting (its rounds read the shards' counts), or until <paramref name="deadline"/>.</summary>
    private static async Task<long> CountedAsync(TicketingApi api, Guid eventId, long waiting, DateTimeOffset deadline)
    {
        long counted = 0;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var (status, onSale) = await api.SendAsync(HttpMethod.Get, $"/api/events/{eventId}/onsale", TicketingApi.Organizer, "organizer", null, CancellationToken.None);
            if (status == HttpStatusCode.OK)
            {
                counted = onSale.GetProperty("waiting").GetInt64() + onSale.GetProperty("admitted").GetInt64();
                if (onSale.GetProperty("status").GetString() != "scheduled" && counted >= waiting)
                {
                    return counted;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        return counted;
    }

    private static async Task<DateTimeOffset> PutOnSaleAsync(TicketingApi api, Guid eventId, DateTimeOffset opensAt)
    {
        var (status, onSale) = await api.SendAsync(HttpMethod.Put, $"/api/events/{eventId}/onsale", TicketingApi.Organizer, "organizer",
            new { opensAt, admitPerMinute = 1 }, CancellationToken.None);
        TicketingApi.Expect(HttpStatusCode.OK, status, onSale);
        return onSale.GetProperty("opensAt").GetDateTimeOffset();
    }

    private static async Task<object?> Scalar(NpgsqlDataSource database, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = database.CreateCommand(sql);
        command.CommandTimeout = 300;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync();
    }
}
