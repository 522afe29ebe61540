using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Npgsql;
using Spectre.Console;
using Ticketing.Load.Transports;

namespace Ticketing.Load.Scenarios;

/// <summary>The on-sale scenario's settings (see --help).</summary>
public sealed record OnsaleSettings(
    int Entrants = 100_000,
    double EarlyShare = 0.8,
    int AdmitPerMinute = 12_000,
    int? MaxPerBuyer = 4,
    int Seats = 20_000,
    double LateRate = 1_000,
    int InFlight = 8_000,
    int Joiners = 2_000,
    bool Comparison = true)
{
    public int EarlyCount => (int)Math.Round(Entrants * Math.Clamp(EarlyShare, 0, 1));

    /// <summary>
    /// How far ahead the opening moves once the early joiners have joined:
    /// longer than a long-poll, so every page's poll ends at the opening (pages
    /// count down to it).
    /// </summary>
    public TimeSpan OpensIn { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long buyers of another event join its waiting room, read their
    /// places and hold before the measured on-sale: a silo that has run a while
    /// (tiered JIT settles in about 30 s on 2 cores), as one is when an on-sale opens.
    /// </summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What a tier allows an order: room for a buyer racing the cap with a whole cap on each of two tiers.</summary>
    public int MaxPerOrder => Math.Max(4, MaxPerBuyer ?? 4);
}

/// <summary>The figures as rows, the notes that say the rest in words, and the safety counts (the run's exit code).</summary>
public sealed record OnsaleReport(IReadOnlyList<RunResult> Results, IReadOnlyList<string> Notes, bool Safe);

/// <summary>
/// A hot on-sale through the waiting room, then the same arrivals without it.
/// An event with two tiers gets an on-sale opening an hour ahead; most
/// entrants join its queue as fast as the silo takes them, and every joined
/// entrant waits as a browser page does (<see cref="WaitingPages"/>). The
/// opening is then moved a few seconds ahead; the rest join after it at a
/// fixed rate. Each admitted buyer holds with its pass and checks out: the
/// order, paying at the Stripe emulator and waiting for the tickets (only
/// the order without an emulator). One buyer in twenty races holds on both
/// tiers for a whole cap each, and a few intruders try to hold without a
/// pass of their own. Then the on-sale is removed and fresh tiers are put
/// on sale to the same arrivals, each entrant holding at once.
/// </summary>
public sealed class Onsale : IDisposable
{
    private static readonly TimeSpan TicketsWithin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(1);
    private static readonly byte[] TestCard = "payment_method=pm_card_visa"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TicketingApi api;
    private readonly Transport silo;
    private readonly Transport? stripe;
    private readonly string stripeKey;
    private readonly OnsaleSettings settings;
    private readonly string connectionString;
    private readonly SiloMetrics siloMetrics;
    private readonly CpuAccount? cpu;
    private readonly string organizerToken;

    private readonly LoadRun.Recorder earlyJoins = new();
    private readonly LoadRun.Recorder lateJoins = new();
    private readonly LoadRun.Recorder holds = new();
    private readonly LoadRun.Recorder holdsWhileFull = new();
    private readonly LoadRun.Recorder orders = new();
    private readonly LoadRun.Recorder payments = new();
    private readonly LoadRun.Recorder tickets = new();
    private readonly LoadRun.Recorder checkouts = new();
    private readonly LoadRun.Recorder checkoutsWhileFull = new();
    private readonly LoadRun.Recorder intruders = new();
    private readonly LoadRun.Recorder slotWaits = new();
    private readonly LoadRun.Recorder holdsFirstMinute = new();

    /// <summary>The first minute's holds by 20 s from the opening: the pages' looks after the shuffle and the late joins fall in the first.</summary>
    private readonly LoadRun.Recorder[] holdsFirstMinuteThirds = [new(), new(), new()];
    /// <summary>The first 20 s's holds by 5 s: whether the tail is the draw's moment or the whole stretch.</summary>
    private readonly LoadRun.Recorder[] holdsFirstTwentyQuarters = [new(), new(), new(), new()];
    private readonly LoadRun.Recorder holdsLaterWhileFull = new();
    private readonly LoadRun.Recorder holdsWhileFullUnpaused = new();
    private readonly ConcurrentDictionary<string, long> capRaces = new();
    private readonly ConcurrentBag<Task> buying = [];
    private readonly TaskCompletionSource everyoneDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Guid eventId;
    private Guid[] tierIds = [];
    private OnsaleEntrant[] entrants = [];
    private TimeSpan passLifetime;
    private int resolved;
    private int admissionsSeen;
    private Task intruding = Task.CompletedTask;
    private WaitingPages? pages;
    private string stage = "admitting";
    private long waitingNow;
    private long peakWaiting;
    private long peakResidentBytes;
    private long openedTicks = long.MaxValue;

    /// <summary>
    /// Checkouts in flight: a browser each would take more connections than
    /// this process may open, so admitted buyers beyond these wait their
    /// turn (reported, and not counted in their checkout's latency).
    /// </summary>
    private readonly SemaphoreSlim checkoutSlots;

    private Onsale(TicketingApi api, Transport silo, Transport? stripe, string stripeKey, OnsaleSettings settings, string connectionString, SiloMetrics siloMetrics, CpuAccount? cpu)
    {
        this.api = api;
        this.silo = silo;
        this.stripe = stripe;
        this.stripeKey = stripeKey;
        this.settings = settings;
        this.connectionString = connectionString;
        this.siloMetrics = siloMetrics;
        this.cpu = cpu;
        organizerToken = api.Token(TicketingApi.Organizer, "organizer");
        checkoutSlots = new SemaphoreSlim(CheckoutReserve);
    }

    public void Dispose() => checkoutSlots.Dispose();

    private string QueuePath => QueuePathOf(eventId);

    private static string QueuePathOf(Guid eventId) => $"/api/events/{eventId}/queue";

    /// <summary>The queue counts as full while at least half the entrants wait in it.</summary>
    private bool QueueFull => Interlocked.Read(ref waitingNow) * 2 >= settings.Entrants;

    /// <summary>
    /// Runs the scenario against <paramref name="api"/>'s silo. Requests go over
    /// kept-alive lean connections, or through <paramref name="handler"/> (a
    /// test's in-process silo). Without <paramref name="stripeUrl"/> buyers
    /// only order.
    /// </summary>
    public static async Task<OnsaleReport> RunAsync(
        TicketingApi api, OnsaleSettings settings, string connectionString, Uri? stripeUrl = null, string stripeKey = "sk_test_load",
        int? siloPid = null, CpuAccount? cpu = null, HttpMessageHandler? handler = null)
    {
        using Transport silo = handler is null ? new LeanTransport(api.Target) : new HttpTransport(api.Target, handler);
        using var stripe = stripeUrl is null ? null : new LeanTransport(stripeUrl);
        using var siloMetrics = new SiloMetrics(api.Target, handler is null ? siloPid : null, handler);
        using var run = new Onsale(api, silo, stripe, stripeKey, settings, connectionString, siloMetrics, cpu);
        return await run.RunAsync();
    }

    private async Task<OnsaleReport> RunAsync()
    {
        var results = new List<RunResult>();
        var notes = new List<string>();

        notes.Add(await WarmUpAsync());
        eventId = await CreateEventAsync();
        tierIds = await CreateTiersAsync(eventId, "");
        var (_, passMinutes) = await PutOnSaleAsync(eventId, DateTimeOffset.UtcNow.AddHours(1));
        passLifetime = TimeSpan.FromMinutes(passMinutes);
        entrants = Enumerable.Range(0, settings.Entrants).Select(i =>
        {
            var userId = $"fan-{eventId.ToString("N")[..8]}-{i}";
            return new OnsaleEntrant(i, userId, api.Token(userId, "buyer"), early: i < settings.EarlyCount);
        }).ToArray();
        AnsiConsole.MarkupLineInterpolated($"[bold]onsale[/]: {settings.Entrants} entrants, {settings.EarlyCount} before the opening, then {settings.LateRate}/s; admitting {settings.AdmitPerMinute}/min; {settings.Seats} seats, at most {settings.MaxPerBuyer?.ToString(CultureInfo.InvariantCulture) ?? "any"} a buyer");

        var beforeJoins = await siloMetrics.ReadMemoryAsync();
        var pollSlots = Math.Max(1, settings.InFlight - settings.Joiners - CheckoutReserve);
        var pages = new WaitingPages(silo, QueuePath, pollSlots, passLifetime, settings.AdmitPerMinute, Ended);
        this.pages = pages;
        using var progress = new Timer(_ => AnsiConsole.MarkupLineInterpolated(
            $"[grey]onsale: {Volatile.Read(ref resolved)} of {settings.Entrants} done, {Volatile.Read(ref admissionsSeen)} admitted, {Interlocked.Read(ref waitingNow)} waiting; {pages}; {Stage}[/]"), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

        // Early joiners: as fast as the silo takes them.
        var joinsStarted = Stopwatch.GetTimestamp();
        var gcBeforeJoins = await siloMetrics.ReadGcAsync();
        var cpuBefore = cpu?.Read();
        var nextEarly = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, settings.Joiners)).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref nextEarly)) < settings.EarlyCount;)
            {
                await JoinAsync(entrants[i], pages, earlyJoins, due: null);
            }
        })));
        var earlyJoinTime = Stopwatch.GetElapsedTime(joinsStarted);
        var earlyResult = earlyJoins.Result("onsale: joins before the opening", new LoadShape(settings.Joiners, null, earlyJoinTime, TimeSpan.Zero), earlyJoinTime);
        if (cpu is not null && cpuBefore is { } start && earlyResult.Requests > 0)
        {
            earlyResult = earlyResult with { Cpu = cpu.PerRequest(start, cpu.Read(), earlyResult.Requests) };
        }

        results.Add(earlyResult);

        var (countedBeforeOpening, _) = await ReadOnSaleAsync();
        var waitingBeforeOpening = entrants.Count(e => e.Joined);
        var everyoneWaiting = await siloMetrics.ReadMemoryAsync();
        var gcAfterJoins = await siloMetrics.ReadGcAsync();
        var gcJoinsTime = Stopwatch.GetElapsedTime(joinsStarted);

        // The opening moves to a few seconds from now; the late joiners come from then on.
        var (opensAt, _) = await PutOnSaleAsync(eventId, DateTimeOffset.UtcNow + settings.OpensIn);
        pages.OpensAt = opensAt;
        var openingTicks = Stopwatch.GetTimestamp() + (long)((opensAt - DateTimeOffset.UtcNow).TotalSeconds * Stopwatch.Frequency);
        Interlocked.Exchange(ref openedTicks, openingTicks);
        var gcAtOpening = await siloMetrics.ReadGcAsync();
        var openingRead = Stopwatch.GetTimestamp();
        var generatorPausedFrom = GC.GetTotalPauseDuration();
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(() => SampleAsync(sampling.Token));
        var firstMinuteCpu = Task.Run(() => FirstMinuteCpuAsync(opensAt));
        var firstMinuteSiloHolds = Task.Run(() => FirstMinuteSiloHoldsAsync(opensAt));
        var openingSeconds = Task.Run(() => OpeningSecondsAsync(opensAt));
        var lateJoining = Task.Run(() => JoinLateAsync(pages, openingTicks));
        var drawWatch = Task.Run(() => WatchTheDrawAsync(pages, opensAt, sampling.Token));

        var admittingFor = TimeSpan.FromMinutes(settings.Entrants / (double)settings.AdmitPerMinute);
        var deadline = opensAt + admittingFor * 1.5 + TimeSpan.FromMinutes(1);
        var everyoneResolved = await Task.WhenAny(everyoneDone.Task, Task.Delay(Max(TimeSpan.Zero, deadline - DateTimeOffset.UtcNow))) == everyoneDone.Task;
        if (!everyoneResolved)
        {
            notes.Add($"unfinished: {settings.Entrants - Volatile.Read(ref resolved)} of {settings.Entrants} entrants had not finished at the deadline ({deadline:O})");
        }

        // Every step below is bounded: a run reports what did not finish rather than waiting on it.
        await SettleAsync("late joins", lateJoining, SettleWithin, notes);
        await SettleAsync("the draw's turns", drawWatch, SettleWithin, notes);
        Stage = "stopping the waiting pages";
        var pollsLeft = await pages.StopAsync(SettleWithin);
        if (pollsLeft > 0)
        {
            notes.Add($"unfinished: {pollsLeft} waiting-page polls had not ended {SettleWithin.TotalSeconds:0} s after the pages stopped");
        }

        await SettleAsync("buyers' checkouts", Task.WhenAll(buying), SettleWithin, notes);
        await SettleAsync("intruders", Volatile.Read(ref intruding), SettleWithin, notes);
        await sampling.CancelAsync();
        await SettleAsync("the on-sale sampler", sampler, SettleWithin, notes);
        var measured = DateTimeOffset.UtcNow - opensAt;
        var gcAfterAdmissions = await siloMetrics.ReadGcAsync();

        results.Add(lateJoins.Result($"onsale: joins after the opening ({settings.LateRate.ToString(CultureInfo.InvariantCulture)}/s)", new LoadShape(settings.Joiners, settings.LateRate, measured, TimeSpan.Zero), TimeSpan.FromSeconds((settings.Entrants - settings.EarlyCount) / settings.LateRate)));
        var stepShape = new LoadShape(settings.Entrants, null, measured, TimeSpan.Zero);
        var holdWhileFull = holdsWhileFull.Result("  hold while the queue is full", stepShape, measured);
        var checkoutWhileFull = checkoutsWhileFull.Result("  checkout while the queue is full", stepShape, measured);
        results.Add(holds.Result("onsale: hold with a pass", stepShape, measured));
        results.Add(holdWhileFull);
        results.Add(orders.Result("onsale: order", stepShape, measured));
        if (stripe is not null)
        {
            results.Add(payments.Result("onsale: pay (emulator)", stepShape, measured));
            results.Add(tickets.Result("onsale: tickets", stepShape, measured));
        }

        results.Add(checkouts.Result("onsale: checkout, hold to last step", stepShape, measured));
        results.Add(checkoutWhileFull);
        results.Add(intruders.Result("onsale: holds without an own pass (403 expected)", stepShape, measured));
        results.Add(slotWaits.Result($"onsale: admitted buyer waiting for one of the harness's {CheckoutReserve} checkout slots", stepShape, measured));

        var admitted = entrants.Where(e => e.AdmittedAt is not null).ToArray();
        Stage = "counting safety in PostgreSQL";
        var safety = await OnsaleSafety.CountAsync(connectionString, tierIds, admitted.Select(e => (e.UserId, e.AdmittedAt!.Value)).ToArray(), settings.MaxPerBuyer);
        Stage = "reading the stored queue order";
        var stored = await StoredQueueOrder.ReadAsync(connectionString, eventId);

        notes.Add(JoinNote(results[0], waitingBeforeOpening, countedBeforeOpening));
        notes.AddRange(AdmissionNotes(admitted, opensAt, stored));
        notes.Add(FullQueueNote(holdWhileFull, checkoutWhileFull)
            + $"; hold p99 in the first minute after the opening {P99(holdsFirstMinute, stepShape, measured)} (0 to 20 s {P99(holdsFirstMinuteThirds[0], stepShape, measured)}, 20 to 40 s {P99(holdsFirstMinuteThirds[1], stepShape, measured)}, 40 to 60 s {P99(holdsFirstMinuteThirds[2], stepShape, measured)}), after it {P99(holdsLaterWhileFull, stepShape, measured)}; "
            + $"the first 20 s by 5 s: {string.Join(", ", holdsFirstTwentyQuarters.Select(quarter => P99(quarter, stepShape, measured)))}");
        notes.Add(SiloHoldsNote(await firstMinuteSiloHolds));
        notes.Add(await openingSeconds);
        notes.Add(UnpausedHoldNote(holdsWhileFullUnpaused.Result("  hold while full, the load generator not paused", stepShape, measured), holdWhileFull.Requests, generatorPausedFrom));
        if (await firstMinuteCpu is var (atOpening, minuteLater, admittedInMinute) && cpu is not null)
        {
            notes.Add(CpuNote(atOpening, minuteLater, admittedInMinute, cpu.Read(), Volatile.Read(ref admissionsSeen) - admittedInMinute));
        }

        notes.Add(GcNote(gcBeforeJoins, gcAfterJoins, gcJoinsTime, waitingBeforeOpening, gcAtOpening, gcAfterAdmissions, Stopwatch.GetElapsedTime(openingRead)));
        notes.Add(MemoryNote(beforeJoins, everyoneWaiting, waitingBeforeOpening)
            + string.Create(CultureInfo.InvariantCulture, $"; peak resident set after the opening {Interlocked.Read(ref peakResidentBytes) / 1048576.0:0} MiB"));
        notes.Add($"waiting pages: {pages}; at most {pollSlots} polls in flight");
        notes.Add(CapNote());
        notes.Add(OutcomeNote("with the on-sale", entrants.Select(e => e.Outcome ?? "still waiting at the end")));
        notes.Add(safety.ToString());

        var safe = safety.Safe && (stored is null || UnstoredJoins(stored) == 0);
        if (settings.Comparison)
        {
            Stage = "the comparison without an on-sale";
            var (comparison, comparisonNotes, comparisonSafe) = await CompareWithoutOnSaleAsync(joinsStarted);
            results.Add(comparison);
            notes.AddRange(comparisonNotes);
            safe &= comparisonSafe;
        }

        notes.Add(stripe is null
            ? "checkout: hold and order only (no --stripe given)"
            : "checkout: hold, order, pay at the Stripe emulator (pm_card_visa), wait for the tickets (waitWhile=awaiting_payment,paid)");
        return new OnsaleReport(results, notes, safe);
    }

    /// <summary>The silo's own timing of holds in each 20 s of the first minute after the opening; null where its metrics could not be read.</summary>
    private async Task<SiloHoldTimes?[]> FirstMinuteSiloHoldsAsync(DateTimeOffset opensAt)
    {
        var readings = new SiloHoldTimes?[4];
        for (var i = 0; i < readings.Length; i++)
        {
            await Task.Delay(Max(TimeSpan.Zero, opensAt + TimeSpan.FromSeconds(20 * i) - DateTimeOffset.UtcNow));
            readings[i] = await siloMetrics.ReadHoldTimesAsync();
        }

        return [.. readings.Zip(readings.Skip(1), (from, to) => from is null || to is null ? null : to.Since(from))];
    }

    /// <summary>
    /// Where the 20 s from the opening go, read each second: the silo's and the
    /// load generator's thread pools' queues (work waiting for a thread in
    /// either delays every request the harness times), the cores each process
    /// used, and what PostgreSQL's backends were doing.
    /// </summary>
    private async Task<string> OpeningSecondsAsync(DateTimeOffset opensAt)
    {
        var silos = new List<long>();
        var generator = new List<long>();
        var backends = new List<PostgresBackends>();
        var siloThreads = new List<long>();
        await using var database = NpgsqlDataSource.Create(connectionString);
        CpuReading? cpuFrom = null;
        JitReading? jitFrom = null;
        GcReading? gcFrom = null;
        var from = Stopwatch.GetTimestamp();
        for (var second = 0; second < 20; second++)
        {
            await Task.Delay(Max(TimeSpan.Zero, opensAt + TimeSpan.FromSeconds(second) - DateTimeOffset.UtcNow));
            if (second == 0)
            {
                cpuFrom = cpu?.Read();
                jitFrom = await siloMetrics.ReadJitAsync();
                gcFrom = await siloMetrics.ReadGcAsync();
                from = Stopwatch.GetTimestamp();
            }

            generator.Add(ThreadPool.PendingWorkItemCount);
            var (queued, threads) = await siloMetrics.ReadThreadPoolAsync();
            silos.AddRange(queued is { } length ? [length] : []);
            siloThreads.AddRange(threads is { } count ? [count] : []);

            if (await PostgresBackends.ReadAsync(database) is { } read)
            {
                backends.Add(read);
            }
        }

        var seconds = Stopwatch.GetElapsedTime(from).TotalSeconds;
        // CPU readings count clock ticks, 100 a second.
        string Cores(long ticks) => (ticks / 100.0 / seconds).ToString("0.00", CultureInfo.InvariantCulture);
        var cores = cpu is not null && cpuFrom is { } start && cpu.Read() is var end && seconds > 0
            ? $"cores used in those seconds: silo {Cores(end.Silo - start.Silo)}, PostgreSQL {Cores(end.PostgreSql - start.PostgreSql)}, Stripe emulator {Cores(end.Emulator - start.Emulator)}, load generator {Cores(end.LoadGenerator - start.LoadGenerator)}, idle {Cores(end.Idle - start.Idle)}; "
            : "";
        var jit = jitFrom is { } jitStart && await siloMetrics.ReadJitAsync() is { } jitEnd ? jitEnd.Since(jitStart) : "not read";
        var gc = gcFrom is { } gcStart && await siloMetrics.ReadGcAsync() is { } gcEnd ? gcEnd.Since(gcStart, TimeSpan.FromSeconds(seconds)) : "not read";
        return $"thread pools' queues in the 20 s from the opening (work items waiting for a thread, read each second): silo {Spread(silos)} with {Spread(siloThreads)} threads; load generator {Spread(generator)}; {cores}"
            + $"the silo's JIT in those seconds: {jit}; its collector: {gc}; "
            + $"PostgreSQL's backends then (read each second): connected {Spread([.. backends.Select(b => b.Connected)])}, running a statement {Spread([.. backends.Select(b => b.Active)])}, "
            + $"of them waiting for a lock {Spread([.. backends.Select(b => b.OnLocks)])}, for an internal lock {Spread([.. backends.Select(b => b.OnInternalLocks)])}, for I/O {Spread([.. backends.Select(b => b.OnIo)])}; "
            + $"waits seen: {PostgresBackends.WaitsSeen(backends)}";

        static string Spread(List<long> samples) =>
            samples.Count == 0 ? "not read" : $"median {samples.Order().ElementAt(samples.Count / 2)}, most {samples.Max()} ({samples.Count} reads)";
    }

    private static string SiloHoldsNote(SiloHoldTimes?[] thirds) =>
        "holds as the silo timed them (its request-duration histogram: from the first middleware to the answer, without waiting to be read), first minute after the opening: "
        + string.Join(", ", thirds.Select((third, i) => $"{20 * i} to {20 * (i + 1)} s {third?.ToString() ?? "not read"}"));

    /// <summary>
    /// CPU readings at the opening and a minute after it, with the admissions
    /// pages learned of meanwhile; null without a CPU account. That minute holds
    /// the pages' looks after the shuffle, the late joins and most checkouts.
    /// </summary>
    private async Task<(CpuReading AtOpening, CpuReading MinuteLater, int Admitted)?> FirstMinuteCpuAsync(DateTimeOffset opensAt)
    {
        if (cpu is null)
        {
            return null;
        }

        await Task.Delay(Max(TimeSpan.Zero, opensAt - DateTimeOffset.UtcNow));
        var atOpening = cpu.Read();
        var admittedBefore = Volatile.Read(ref admissionsSeen);
        await Task.Delay(TimeSpan.FromMinutes(1));
        return (atOpening, cpu.Read(), Volatile.Read(ref admissionsSeen) - admittedBefore);
    }

    private string CpuNote(CpuReading atOpening, CpuReading minuteLater, int admittedInMinute, CpuReading atEnd, int admittedAfter) =>
        $"CPU an admitted buyer (looks, late joins and checkouts included): in the first minute after the opening {cpu!.PerRequest(atOpening, minuteLater, admittedInMinute)} ({admittedInMinute} admitted); after it {cpu.PerRequest(minuteLater, atEnd, admittedAfter)} ({admittedAfter} admitted)";

    /// <summary>The silo's garbage collections while the early joiners joined, and from the opening until the admitted buyers were done: a pause stops every request in the silo.</summary>
    private static string GcNote(GcReading? beforeJoins, GcReading? afterJoins, TimeSpan joining, long joins, GcReading? atOpening, GcReading? afterAdmissions, TimeSpan admitting) =>
        "silo's garbage collector: "
        + (beforeJoins is { } b && afterJoins is { } j
            ? string.Create(CultureInfo.InvariantCulture, $"during the early joins {j.Since(b, joining)}, {j.AllocatedSince(b) / (double)Math.Max(1, joins):0} B a join (its page's polls included)")
            : "during the early joins not read")
        + "; "
        + (atOpening is { } o && afterAdmissions is { } a ? $"from the opening to the end of the admissions {a.Since(o, admitting)}" : "after the opening not read");

    /// <summary>
    /// The holds while full that none of this process's own collections
    /// paused: a collection here stops the clock's reader with every request
    /// in flight, and no buyer's browser shares it. The others are left out,
    /// not corrected, since the silo may have been working all along.
    /// </summary>
    private static string UnpausedHoldNote(RunResult unpaused, long all, TimeSpan generatorPausedFrom) => string.Create(CultureInfo.InvariantCulture,
        $"hold p99 while full among the holds no collection of the load generator paused: {unpaused.P99Ms:0.0} ms over {unpaused.Requests} of {all} holds (target < 25 ms); the load generator paused {(GC.GetTotalPauseDuration() - generatorPausedFrom).TotalSeconds:0.0} s for its own collections from the opening ({GC.CollectionCount(0)} collections in all, {GC.CollectionCount(1)} of generation 1, {GC.CollectionCount(2)} of generation 2)");

    /// <summary>How long each step after the admissions may take to end: longer than any request's own bound (30 s).</summary>
    private static readonly TimeSpan SettleWithin = TimeSpan.FromMinutes(2);

    /// <summary>What the run is doing, for the progress line (so a stall says where).</summary>
    private string Stage { get => Volatile.Read(ref stage); set => Volatile.Write(ref stage, value); }

    /// <summary>Waits at most <paramref name="within"/> for <paramref name="step"/>; a step that fails or does not end is noted, not awaited.</summary>
    private async Task SettleAsync(string what, Task step, TimeSpan within, List<string> notes)
    {
        Stage = "waiting for " + what;
        if (await Task.WhenAny(step, Task.Delay(within)) != step)
        {
            notes.Add($"unfinished: {what} had not ended {within.TotalSeconds:0} s after the admissions");
            AnsiConsole.MarkupLineInterpolated($"[yellow]onsale: {what} had not ended within {within.TotalSeconds:0} s; going on without them[/]");
        }
        else if (step.Exception is { } failed)
        {
            notes.Add($"failed: {what}: {failed.GetBaseException().GetType().Name}: {failed.GetBaseException().Message}");
        }
    }

    /// <summary>Requests kept for the buyers' checkouts out of --in-flight; the long-polls take the rest.</summary>
    private int CheckoutReserve => Math.Min(1_000, settings.InFlight / 4);

    /// <summary>The warm-up's buyers checking out at once: enough to keep up with the admission rate.</summary>
    private const int WarmUpBuyers = 200;

    private async Task JoinAsync(OnsaleEntrant entrant, WaitingPages pages, LoadRun.Recorder recorder, long? due)
    {
        entrant.JoinSent = Stopwatch.GetTimestamp();
        string? failure;
        QueueAnswer? answer = null;
        try
        {
            var (status, body) = await silo.SendAsync(HttpMethod.Post, QueuePath, entrant.Token);
            answer = status == 200 ? QueueAnswer.Parse(body) : null;
            failure = status == 200 ? null : TicketingApi.Cause((HttpStatusCode)status, body);
        }
        catch (Exception exception)
        {
            failure = exception.GetType().Name;
        }

        entrant.JoinAnswered = Stopwatch.GetTimestamp();
        recorder.Record(answer is null ? StepOutcome.Failed(failure!) : StepOutcome.Success, entrant.JoinAnswered - (due ?? entrant.JoinSent));
        if (answer is null)
        {
            entrant.Outcome = "join " + failure;
            Resolve();
            return;
        }

        entrant.Joined = true;
        pages.Take(entrant, answer);
    }

    /// <summary>
    /// Once the room has stored its opening, each early page's turn at the
    /// on-sale's rate, replayed from the stored seed as an audit would
    /// (<see cref="StoredQueueOrder.Rank"/>): a page whose poll is parked in
    /// the room when its turn comes hears of its admission then
    /// (<see cref="WaitingPages.Drawn"/>).
    /// </summary>
    private async Task WatchTheDrawAsync(WaitingPages pages, DateTimeOffset opensAt, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Max(TimeSpan.Zero, opensAt - DateTimeOffset.UtcNow), cancellationToken);
            await using var database = NpgsqlDataSource.Create(connectionString);
            while (true)
            {
                await using var command = database.CreateCommand("SELECT seed, opened_at FROM ticketing.queue_openings WHERE event_id = @event_id");
                command.Parameters.AddWithValue("event_id", eventId);
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        var (seed, openedAt) = (reader.GetFieldValue<byte[]>(0), reader.GetFieldValue<DateTimeOffset>(1));
                        var step = TimeSpan.FromMinutes(1.0 / settings.AdmitPerMinute);
                        pages.Drawn(entrants.Where(e => e.Early && e.Joined)
                            .OrderBy(e => StoredQueueOrder.Rank(seed, e.UserId))
                            .Select((e, i) => (e, openedAt + step * i))
                            .ToArray());
                        return;
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended first: the pages long-polled throughout, as they do until they know the room has drawn.
        }
    }

    /// <summary>The late joiners at --late-rate from the opening; each one's lateness counts in its latency.</summary>
    private async Task JoinLateAsync(WaitingPages pages, long openingTicks)
    {
        var interval = Stopwatch.Frequency / settings.LateRate;
        using var inFlight = new SemaphoreSlim(Math.Max(1, settings.Joiners));
        var running = new List<Task>();
        for (var i = settings.EarlyCount; i < entrants.Length; i++)
        {
            var due = openingTicks + (long)((i - settings.EarlyCount) * interval);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            await inFlight.WaitAsync();
            var entrant = entrants[i];
            running.Add(Task.Run(async () =>
            {
                try
                {
                    await JoinAsync(entrant, pages, lateJoins, due);
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }

        await Task.WhenAll(running);
    }

    /// <summary>A page stopped waiting: admitted buyers check out; anyone else is done.</summary>
    private void Ended(OnsaleEntrant entrant, QueueAnswer answer)
    {
        // Once per entrant: a second end (a duplicate answer) must neither buy twice nor count twice.
        if (!entrant.TryEnd())
        {
            return;
        }

        if (entrant.Pass is null)
        {
            entrant.Outcome = answer.Admitted ? "admitted without a pass" : $"left the queue ({answer.Status})";
            Resolve();
            return;
        }

        if (Interlocked.Increment(ref admissionsSeen) == 1)
        {
            // Once a pass exists, intruders can try to use it.
            Volatile.Write(ref intruding, Task.Run(IntrudeAsync));
        }

        buying.Add(Task.Run(async () =>
        {
            var admitted = Stopwatch.GetTimestamp();
            await checkoutSlots.WaitAsync();
            slotWaits.Record(StepOutcome.Success, Stopwatch.GetTimestamp() - admitted);
            try
            {
                await BuyAsync(entrant);
            }
            catch (Exception exception)
            {
                entrant.Outcome = "checkout " + exception.GetType().Name;
            }
            finally
            {
                checkoutSlots.Release();
                Resolve();
            }
        }));
    }

    private void Resolve()
    {
        if (Interlocked.Increment(ref resolved) >= settings.Entrants)
        {
            everyoneDone.TrySetResult();
        }
    }

    /// <summary>An admitted buyer: a hold with the pass (the other tier when the first is sold out), the order, paying, the tickets.</summary>
    private async Task BuyAsync(OnsaleEntrant entrant)
    {
        var full = QueueFull;
        var started = Stopwatch.GetTimestamp();
        KeyValuePair<string, string>[] pass = [new("Admission-Pass", entrant.Pass!)];
        var holdIds = settings.MaxPerBuyer is { } cap && entrant.Index % 20 == 10
            ? await RaceTheCapAsync(entrant, pass, cap, full)
            : await HoldAsync(entrant, pass, full);
        if (holdIds.Count == 0)
        {
            return;
        }

        entrant.Outcome = await CheckoutAsync(entrant.Token, holdIds);
        var outcome = entrant.Outcome is "bought" or "ordered" ? StepOutcome.Success : StepOutcome.Failed(entrant.Outcome);
        var elapsed = Stopwatch.GetTimestamp() - started;
        checkouts.Record(outcome, elapsed);
        if (full)
        {
            checkoutsWhileFull.Record(outcome, elapsed);
        }
    }

    private async Task<List<Guid>> HoldAsync(OnsaleEntrant entrant, KeyValuePair<string, string>[] pass, bool full)
    {
        var quantity = 1 + (entrant.Index % 2);
        foreach (var tier in Preference(entrant.Index))
        {
            var (status, body) = await TimedHoldAsync(entrant.Token, tierIds[tier], quantity, pass, full);
            if (status == 201)
            {
                entrant.Held = quantity;
                return [Id(body)];
            }

            entrant.Outcome = status == 409 && Cause(status, body) == "409 sold-out" ? "sold-out" : "hold " + Cause(status, body);
            if (entrant.Outcome != "sold-out")
            {
                break;
            }
        }

        return [];
    }

    /// <summary>A whole cap on each tier at once: at most one may be held.</summary>
    private async Task<List<Guid>> RaceTheCapAsync(OnsaleEntrant entrant, KeyValuePair<string, string>[] pass, int cap, bool full)
    {
        var answers = await Task.WhenAll(tierIds.Select(tier => TimedHoldAsync(entrant.Token, tier, cap, pass, full)));
        var held = answers.Where(a => a.Status == 201).Select(a => Id(a.Body)).ToList();
        capRaces.AddOrUpdate(string.Join(" + ", answers.Select(a => Cause(a.Status, a.Body)).Order(StringComparer.Ordinal)), 1, (_, n) => n + 1);
        entrant.Held = held.Count * cap;
        entrant.Outcome = held.Count > 0 ? null
            : answers.All(a => Cause(a.Status, a.Body) == "409 sold-out") ? "sold-out"
            : "hold " + Cause(answers[0].Status, answers[0].Body);
        return held;
    }

    private async Task<(int Status, string? Body)> TimedHoldAsync(string token, Guid tierId, int quantity, KeyValuePair<string, string>[] pass, bool full)
    {
        var pausedBefore = GC.GetTotalPauseDuration();
        var sent = Stopwatch.GetTimestamp();
        var (status, body) = await SendSafelyAsync(silo, HttpMethod.Post, "/api/holds", token, JsonSerializer.SerializeToUtf8Bytes(new { tierId, quantity }, Json), pass);
        var elapsed = Stopwatch.GetTimestamp() - sent;
        var outcome = status == 201 ? StepOutcome.Success : StepOutcome.Failed(Cause(status, body));
        holds.Record(outcome, elapsed);
        if (full)
        {
            holdsWhileFull.Record(outcome, elapsed);
            if (GC.GetTotalPauseDuration() == pausedBefore)
            {
                holdsWhileFullUnpaused.Record(outcome, elapsed);
            }

            // The first minute carries the late joiners and the pages' looks after the shuffle as well.
            var sinceOpening = sent - Interlocked.Read(ref openedTicks);
            var firstMinute = sinceOpening < 60 * Stopwatch.Frequency;
            (firstMinute ? holdsFirstMinute : holdsLaterWhileFull).Record(outcome, elapsed);
            if (firstMinute)
            {
                holdsFirstMinuteThirds[Math.Clamp((int)(sinceOpening / (20 * Stopwatch.Frequency)), 0, 2)].Record(outcome, elapsed);
            }

            if (sinceOpening < 20 * Stopwatch.Frequency)
            {
                holdsFirstTwentyQuarters[Math.Clamp((int)(sinceOpening / (5 * Stopwatch.Frequency)), 0, 3)].Record(outcome, elapsed);
            }
        }

        return (status, body);
    }

    /// <summary>The order, then (with the emulator) paying and waiting for the tickets as a buyer's page does; timed unless a warm-up's.</summary>
    private async Task<string> CheckoutAsync(string token, List<Guid> holdIds, bool counted = true)
    {
        var (orders, payments, tickets) = counted ? (this.orders, this.payments, this.tickets) : (new LoadRun.Recorder(), new LoadRun.Recorder(), new LoadRun.Recorder());
        var placement = JsonSerializer.SerializeToUtf8Bytes(new { holdIds, contact = new { email = "fan@example.com", name = "Fan" } }, Json);
        var (status, order) = await Timed(orders, 201, () => SendSafelyAsync(silo, HttpMethod.Post, "/api/orders", token, placement));
        if (status != 201)
        {
            return "order " + Cause(status, order);
        }

        if (stripe is null)
        {
            return "ordered";
        }

        using var document = JsonDocument.Parse(order!);
        var orderId = document.RootElement.GetProperty("id").GetGuid();
        var intent = document.RootElement.GetProperty("payment").GetProperty("paymentIntentId").GetString();
        (status, var paid) = await Timed(payments, 200, () =>
            SendSafelyAsync(stripe, HttpMethod.Post, $"/v1/payment_intents/{intent}/confirm", stripeKey, TestCard, contentType: "application/x-www-form-urlencoded"));
        if (status != 200)
        {
            return "pay " + Cause(status, paid);
        }

        (status, var settled) = await Timed(tickets, 200, async () =>
        {
            var until = Stopwatch.GetTimestamp() + (long)(TicketsWithin.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < until)
            {
                var (read, body) = await SendSafelyAsync(silo, HttpMethod.Get, $"/api/orders/{orderId}?waitWhile=awaiting_payment,paid&waitSeconds=20", token);
                if (read != 200)
                {
                    return (read, body);
                }

                using var answer = JsonDocument.Parse(body!);
                if (answer.RootElement.GetProperty("status").GetString() is not ("awaiting_payment" or "paid") and var settledAs)
                {
                    return settledAs == "fulfilled" ? (200, body) : (409, settledAs);
                }
            }

            return (408, "tickets not issued within 30 s");
        });
        return status == 200 ? "bought" : "tickets " + (status is 408 or 409 ? settled : Cause(status, settled));
    }

    /// <summary>
    /// Buyers who were never admitted try to hold anyway: without a pass, with
    /// an admitted buyer's pass, and with a forged one. Each must get 403.
    /// </summary>
    private async Task IntrudeAsync()
    {
        var count = Math.Clamp(settings.Entrants / 1_000, 10, 100);
        for (var k = 0; k < count; k++)
        {
            var token = api.Token($"intruder-{eventId.ToString("N")[..8]}-{k}", "buyer");
            var stolen = entrants.FirstOrDefault(e => e.Pass is not null)?.Pass ?? "";
            var forged = stolen.Length > 0 ? stolen[..^1] + (stolen[^1] == 'A' ? 'B' : 'A') : "p1.forged.pass";
            foreach (var pass in new string?[] { null, stolen, forged })
            {
                KeyValuePair<string, string>[] headers = pass is null ? [] : [new("Admission-Pass", pass)];
                var sent = Stopwatch.GetTimestamp();
                var (status, body) = await SendSafelyAsync(silo, HttpMethod.Post, "/api/holds", token,
                    JsonSerializer.SerializeToUtf8Bytes(new { tierId = tierIds[0], quantity = 1 }, Json), headers);
                var cause = Cause(status, body);
                intruders.Record(cause == "403 admission-required" ? StepOutcome.Success : StepOutcome.Failed(cause), Stopwatch.GetTimestamp() - sent);
            }

            // A trickle, not a load of its own.
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>The on-sale's counts every second, and the silo's resident set.</summary>
    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var (waiting, _) = await ReadOnSaleAsync(cancellationToken);
                Interlocked.Exchange(ref waitingNow, waiting);
                InterlockedMax(ref peakWaiting, waiting);
                InterlockedMax(ref peakResidentBytes, siloMetrics.ResidentBytes() ?? 0);
                await Task.Delay(SampleEvery, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private async Task<(long Waiting, long Admitted)> ReadOnSaleAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var (status, body) = await silo.SendAsync(HttpMethod.Get, $"/api/events/{eventId}/onsale", organizerToken, cancellationToken: cancellationToken);
            if (status != 200)
            {
                return (Interlocked.Read(ref waitingNow), 0);
            }

            using var document = JsonDocument.Parse(body!);
            return (document.RootElement.GetProperty("waiting").GetInt64(), document.RootElement.GetProperty("admitted").GetInt64());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // One missed sample: the last count stands.
            return (Interlocked.Read(ref waitingNow), 0);
        }
    }

    /// <summary>
    /// The same entrants at the same moments after the start of the joins, now
    /// on fresh tiers with no on-sale: each holds at once (the other tier when
    /// the first is sold out). Holds only: what a buyer gets is decided there.
    /// </summary>
    private async Task<(RunResult Result, List<string> Notes, bool Safe)> CompareWithoutOnSaleAsync(long joinsStarted)
    {
        var (status, body) = await api.SendAsync(HttpMethod.Delete, $"/api/events/{eventId}/onsale", TicketingApi.Organizer, "organizer", null, CancellationToken.None);
        if (status != HttpStatusCode.NoContent)
        {
            throw new InvalidOperationException($"Removing the on-sale answered {(int)status}: {body}");
        }

        tierIds = await CreateTiersAsync(eventId, " (no on-sale)");
        var arrivals = entrants.Where(e => e.JoinSent != 0).OrderBy(e => e.JoinSent).ToArray();
        var won = new bool[entrants.Length];
        var outcomes = new string[entrants.Length];
        var recorder = new LoadRun.Recorder();
        using var inFlight = new SemaphoreSlim(Math.Max(1, settings.InFlight));
        var start = Stopwatch.GetTimestamp();
        AnsiConsole.MarkupLineInterpolated($"[bold]no on-sale[/]: the same {arrivals.Length} arrivals hold at once on fresh tiers");
        var running = new List<Task>();
        foreach (var entrant in arrivals)
        {
            var due = start + (entrant.JoinSent - joinsStarted);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            await inFlight.WaitAsync();
            running.Add(Task.Run(async () =>
            {
                try
                {
                    var quantity = 1 + (entrant.Index % 2);
                    foreach (var tier in Preference(entrant.Index))
                    {
                        var (held, answer) = await SendSafelyAsync(silo, HttpMethod.Post, "/api/holds", entrant.Token,
                            JsonSerializer.SerializeToUtf8Bytes(new { tierId = tierIds[tier], quantity }, Json));
                        var cause = held == 201 ? "held" : Cause(held, answer);
                        recorder.Record(held == 201 ? StepOutcome.Success : StepOutcome.Failed(cause), Stopwatch.GetTimestamp() - due);
                        outcomes[entrant.Index] = cause == "409 sold-out" ? "sold-out" : cause;
                        won[entrant.Index] = held == 201;
                        if (cause != "409 sold-out")
                        {
                            break;
                        }
                    }
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }

        await Task.WhenAll(running);
        var elapsed = Stopwatch.GetElapsedTime(start);
        var result = recorder.Result("no on-sale: holds at the same arrivals", new LoadShape(settings.InFlight, null, elapsed, TimeSpan.Zero), elapsed);
        var safety = await OnsaleSafety.CountAsync(connectionString, tierIds, entrants.Select(e => (e.UserId, DateTimeOffset.UnixEpoch)).ToArray(), maxPerBuyer: null);

        var notes = new List<string>
        {
            OutcomeNote("without an on-sale", arrivals.Select(e => outcomes[e.Index] ?? "no answer")),
            string.Create(CultureInfo.InvariantCulture,
                $"who wins, by arrival (Spearman's rho of arrival order against getting a hold; 0 is a lottery, -1 first come first served): without an on-sale {WinCorrelation(arrivals, e => won[e.Index]):0.000} over all arrivals, {WinCorrelation(arrivals.Where(e => e.Early).ToArray(), e => won[e.Index]):0.000} over the early ones; with it {WinCorrelation(arrivals.Where(e => e.Early).ToArray(), e => e.Held > 0):0.000} over the early ones"),
            $"without an on-sale, {safety.OversoldSeats} oversold seats (must be 0); {safety.ActiveHolds} holds live",
        };
        return (result, notes, safety.OversoldSeats == 0);
    }

    private static double WinCorrelation(OnsaleEntrant[] arrivals, Func<OnsaleEntrant, bool> won) =>
        Fairness.RankCorrelation(arrivals.Select(e => (double)e.JoinSent).ToArray(), arrivals.Select(e => won(e) ? 1.0 : 0.0).ToArray());

    private string JoinNote(RunResult early, long joined, long counted) => string.Create(CultureInfo.InvariantCulture,
        $"joins: {early.Throughput:0} durable joins/s before the opening, p99 {early.P99Ms:0.0} ms, {settings.Joiners} joiners (target >= 10,000/s); {joined} joined, the on-sale counted {counted} waiting (as of its last round)");

    private IEnumerable<string> AdmissionNotes(OnsaleEntrant[] admitted, DateTimeOffset opensAt, StoredQueueOrder? stored)
    {
        var joined = entrants.Count(e => e.Joined);
        if (admitted.Length == 0)
        {
            yield return $"admission: nobody admitted of {joined} joined";
            yield break;
        }

        var times = admitted.Select(e => e.AdmittedAt!.Value).Order().ToArray();
        // A step admits those due since the step before. The first step's are due since the opening, and
        // the last may find the queue run dry: both are left out when there are steps enough.
        var steps = times.Distinct().ToArray();
        var upTo = steps.Length >= 3 ? steps[^2] : steps[^1];
        var perMinute = steps.Length >= 2
            ? times.Count(t => t > steps[0] && t <= upTo) / (upTo - steps[0]).TotalMinutes
            : double.NaN;
        // Rounded before formatting, plus 0.0 so that a negative zero prints as 0.0 ("-+0.0" otherwise).
        var off = Math.Round((perMinute / settings.AdmitPerMinute - 1) * 100, 1) + 0.0;
        var seen = admitted.Where(e => e.AdmissionSeenAt is not null).Select(e => (e.AdmissionSeenAt!.Value - e.AdmittedAt!.Value).TotalMilliseconds).Order().ToArray();
        yield return string.Create(CultureInfo.InvariantCulture,
            $"admission: {admitted.Length} of {joined} joined admitted, {joined - admitted.Length} never; first {(times[0] - opensAt).TotalSeconds:0.0} s after the opening, last {(times[^1] - opensAt).TotalSeconds:0.0} s; {perMinute:0}/min measured over {steps.Length} steps (admission times are whole seconds), against {settings.AdmitPerMinute}/min configured ({off:+0.0;-0.0;0.0} %, target within 10 %); pages learned of it p50 {Percentile(seen, 50):0} ms, p99 {Percentile(seen, 99):0} ms later");

        // As admitted: by the silo's time of each admission (a step admits many at the same instant: they tie).
        yield return "fairness as admitted (admission times; a step's buyers tie): " + FairnessFigures(admitted, e => e.AdmittedAt!.Value.UtcTicks, e => e.Early);
        if (stored is null)
        {
            yield return "fairness in the stored order: not read (the on-sale's queue tables have no opening)";
            yield break;
        }

        // In the stored order: exact, every place its own.
        var placed = admitted.Where(e => stored.PlaceOf(e.UserId) is not null).ToArray();
        // Early and late as the room stored them: its promise is a draw for the one and arrival order for the other.
        yield return "fairness in the stored order (replayed from the seed; early and late as stored): "
            + FairnessFigures(placed, e => stored.PlaceOf(e.UserId)!.Value, e => stored.IsEarly(e.UserId)!.Value);
        var outOfOrder = Fairness.Inversions(placed.OrderBy(e => stored.PlaceOf(e.UserId)).Select(e => e.AdmittedAt!.Value.UtcTicks).ToArray());
        var lateStoredEarly = entrants.Count(e => e.Joined && !e.Early && stored.IsEarly(e.UserId) == true);
        var earlyStoredLate = entrants.Count(e => e.Joined && e.Early && stored.IsEarly(e.UserId) == false);
        yield return string.Create(CultureInfo.InvariantCulture,
            $"admitted out of the stored order: {outOfOrder} pairs (must be 0); joins answered but not stored: {UnstoredJoins(stored)} (must be 0); {stored.Count} places stored; joined after opensAt but drawn with the early ones (the room opens at its first round from opensAt, and draws the places taken until then): {lateStoredEarly}; joined before opensAt but stored as late: {earlyStoredLate} (must be 0)");
    }

    /// <summary>Rank correlation of the early joiners' join order with <paramref name="place"/>, and inversions among the late joiners.</summary>
    private static string FairnessFigures(OnsaleEntrant[] admitted, Func<OnsaleEntrant, long> place, Func<OnsaleEntrant, bool> isEarly)
    {
        var early = admitted.Where(isEarly).OrderBy(e => e.JoinSent).ToArray();
        var rho = Fairness.RankCorrelation(early.Select((_, i) => (double)i).ToArray(), early.Select(e => (double)place(e)).ToArray());
        var late = admitted.Where(e => !isEarly(e)).ToArray();
        var (inversions, pairs) = Fairness.InversionsBetweenOrderedJoins(late.Select(e => (e.JoinSent, e.JoinAnswered, place(e))).ToArray());
        var bySending = Fairness.Inversions(late.OrderBy(e => e.JoinSent).Select(place).ToArray());
        var lastEarly = early.Length == 0 ? long.MinValue : early.Max(place);
        var lateFirst = late.Count(e => place(e) < lastEarly);
        return string.Create(CultureInfo.InvariantCulture,
            $"early joiners' join order against admission order, Spearman's rho {rho:0.0000} over {early.Length} (target |rho| < 0.05); late joiners: {inversions} inversions among {pairs} pairs whose joins were ordered for certain (one answered before the other was sent; target 0), {bySending} by sending order (joins in flight together may go either way); late joiners taken before the last early joiner: {lateFirst}");
    }

    /// <summary>Joins the silo answered (so durable) whose place is not in the table.</summary>
    private long UnstoredJoins(StoredQueueOrder stored) => entrants.Count(e => e.Joined && stored.PlaceOf(e.UserId) is null);

    private string FullQueueNote(RunResult hold, RunResult checkout) => string.Create(CultureInfo.InvariantCulture,
        $"while the queue was full (at least {settings.Entrants / 2} of {settings.Entrants} waiting; peak {Interlocked.Read(ref peakWaiting)}): hold p99 {hold.P99Ms:0.0} ms over {hold.Requests} holds (target < 25 ms), checkout p99 {checkout.P99Ms:0.0} ms over {checkout.Requests}");

    private static string P99(LoadRun.Recorder recorder, LoadShape shape, TimeSpan measured) =>
        recorder.Result("", shape, measured) is { Requests: > 0 } result
            ? string.Create(CultureInfo.InvariantCulture, $"{result.P99Ms:0.0} ms over {result.Requests}")
            : "none";

    private static string MemoryNote(MemoryReading before, MemoryReading waiting, long count) =>
        $"silo memory with {count} waiting (polls in flight included): {waiting.PerWaitingBuyer(before, count)}";

    private string CapNote() => settings.MaxPerBuyer is null
        ? "cap: none set, no races"
        : $"cap races (a whole cap of {settings.MaxPerBuyer} on both tiers at once; one may be held): {(capRaces.IsEmpty ? "none ran" : string.Join(", ", capRaces.OrderByDescending(r => r.Value).Select(r => $"{r.Key}: {r.Value}")))}";

    private static string OutcomeNote(string run, IEnumerable<string> outcomes) =>
        $"buyers {run}: {string.Join(", ", outcomes.GroupBy(o => o).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"))}";

    private async Task<Guid> CreateEventAsync()
    {
        var (status, created) = await api.SendAsync(HttpMethod.Post, "/api/events", TicketingApi.Organizer, "organizer",
            new { title = "On-sale", startsAt = DateTimeOffset.UtcNow.AddDays(30) }, CancellationToken.None);
        TicketingApi.Expect(HttpStatusCode.Created, status, created);
        return created.GetProperty("id").GetGuid();
    }

    /// <summary>
    /// An earlier on-sale's traffic on warm-up events of their own, so that
    /// the run meets the silo's paths compiled as a silo that has served an
    /// on-sale has them: at once, admitted buyers of an open on-sale hold
    /// with their passes and check out (caps raced, holds without a pass
    /// refused), and other buyers join and read their places in rooms that
    /// open 5 s after they are set, one every 10 s, and hold on a tier
    /// without a queue. It lasts <see cref="OnsaleSettings.WarmUp"/> and then until the
    /// silo's JIT is quiet, at most four times as long: tiered compilation
    /// promotes a method only after it has run a while at each tier, and a
    /// path left half promoted is compiled again when the run calls it. The
    /// on-sales are removed after, and nothing of it is counted.
    /// </summary>
    private async Task<string> WarmUpAsync()
    {
        if (settings.WarmUp <= TimeSpan.Zero)
        {
            return "warm-up: none";
        }

        AnsiConsole.MarkupLineInterpolated($"[grey]onsale: warming the silo up for at least {settings.WarmUp.TotalSeconds:0} s on events of its own[/]");
        var holdTier = await api.CreateTierAsync("Warm-up, without a queue", capacity: settings.Seats, maxPerOrder: settings.MaxPerOrder);
        var buyingEvent = await CreateEventAsync();
        var warmTiers = await CreateTiersAsync(buyingEvent, " (warm-up)");
        var joiningEvent = await CreateEventAsync();
        await PutOnSaleAsync(buyingEvent, DateTimeOffset.UtcNow);

        var next = -1;
        var buyer = 0;
        var bought = 0;
        string NextToken() => api.Token($"warm-{buyingEvent.ToString("N")[..8]}-{Interlocked.Increment(ref next)}", "buyer");
        using var stop = new CancellationTokenSource();
        var buyers = Enumerable.Range(0, WarmUpBuyers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await WarmUpCheckoutAsync(NextToken(), buyingEvent, warmTiers, Interlocked.Increment(ref buyer), stop.Token))
                {
                    Interlocked.Increment(ref bought);
                }
            }
        })).ToArray();
        var hold = JsonSerializer.SerializeToUtf8Bytes(new { tierId = holdTier, quantity = 1 }, Json);
        // Paced: what compiles a path is its calls, not their rate, and every place taken stays in the silo until the room closes.
        var joiners = Enumerable.Range(0, WarmUpBuyers / 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var token = NextToken();
                await SendSafelyAsync(silo, HttpMethod.Post, QueuePathOf(joiningEvent), token);
                await SendSafelyAsync(silo, HttpMethod.Get, QueuePathOf(joiningEvent), token);
                await SendSafelyAsync(silo, HttpMethod.Post, "/api/holds", token, hold);
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        })).ToArray();

        // Rooms that open while their buyers join: the early places drawn, later ones in arrival order.
        var rooms = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await api.SendAsync(HttpMethod.Delete, $"/api/events/{joiningEvent}/onsale", TicketingApi.Organizer, "organizer", null, CancellationToken.None);
                await PutOnSaleAsync(joiningEvent, DateTimeOffset.UtcNow.AddSeconds(5));
                await Task.Delay(TimeSpan.FromSeconds(10));
            }
        });

        var started = Stopwatch.GetTimestamp();
        var quiet = await UntilTheJitIsQuietAsync(settings.WarmUp, settings.WarmUp * 4);
        var lasted = Stopwatch.GetElapsedTime(started);
        await stop.CancelAsync();
        await Task.WhenAll(buyers.Concat(joiners).Append(rooms));
        foreach (var warmed in new[] { buyingEvent, joiningEvent })
        {
            await api.SendAsync(HttpMethod.Delete, $"/api/events/{warmed}/onsale", TicketingApi.Organizer, "organizer", null, CancellationToken.None);
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"warm-up: {lasted.TotalSeconds:0} s (at least {settings.WarmUp.TotalSeconds:0}, then until the silo's JIT was quiet: {quiet}); {bought} warm-up buyers bought, {next + 1} buyers in all");
    }

    /// <summary>
    /// Waits at least <paramref name="atLeast"/>, then until the silo's JIT
    /// spent under 2 % of a core compiling over the last 5 s (it compiles a
    /// little all along: timers, metrics), at most <paramref name="atMost"/>.
    /// Answers the last 5 s' compiling, or why it did not wait.
    /// </summary>
    private async Task<string> UntilTheJitIsQuietAsync(TimeSpan atLeast, TimeSpan atMost)
    {
        const int window = 5;
        var readings = new List<JitReading>();
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (await siloMetrics.ReadJitAsync() is not { } reading)
            {
                await Task.Delay(Max(TimeSpan.Zero, atLeast - Stopwatch.GetElapsedTime(started)));
                return "its JIT not read";
            }

            readings.Add(reading);
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (readings.Count > window && elapsed >= atLeast)
            {
                var last = readings[^1].Since(readings[^(window + 1)]);
                var compiling = readings[^1].Seconds - readings[^(window + 1)].Seconds;
                if (compiling < 0.02 * window)
                {
                    return $"{last} in the last {window} s";
                }

                if (elapsed >= atMost)
                {
                    return $"still compiling at the limit, {last} in the last {window} s";
                }
            }
        }
    }

    /// <summary>
    /// A warm-up buyer joins, waits for its admission as a page does, holds
    /// with its pass and checks out, none of it counted; true when it bought
    /// (ordered, without an emulator). As in the run, one in twenty holds a
    /// whole cap on both tiers at once, and one in twenty first tries to hold
    /// without a pass.
    /// </summary>
    private async Task<bool> WarmUpCheckoutAsync(string token, Guid warmUpEvent, Guid[] tiers, int index, CancellationToken stop)
    {
        var queue = QueuePathOf(warmUpEvent);
        if (index % 20 == 5)
        {
            await SendSafelyAsync(silo, HttpMethod.Post, "/api/holds", token, JsonSerializer.SerializeToUtf8Bytes(new { tierId = tiers[0], quantity = 1 }, Json));
        }

        await SendSafelyAsync(silo, HttpMethod.Post, queue, token);
        while (!stop.IsCancellationRequested)
        {
            var (status, body) = await SendSafelyAsync(silo, HttpMethod.Get, queue + "?waitSeconds=5", token);
            if (status != 200)
            {
                return false;
            }

            if (QueueAnswer.Parse(body) is { Admitted: true, PassToken: { } pass })
            {
                KeyValuePair<string, string>[] withPass = [new("Admission-Pass", pass)];
                var quantity = settings.MaxPerBuyer is { } cap && index % 20 == 10 ? cap : 1;
                var answers = await Task.WhenAll((quantity > 1 ? tiers : tiers[..1]).Select(tierId =>
                    SendSafelyAsync(silo, HttpMethod.Post, "/api/holds", token, JsonSerializer.SerializeToUtf8Bytes(new { tierId, quantity }, Json), withPass)));
                var held = answers.Where(answer => answer.Status == 201).Select(answer => Id(answer.Body)).ToList();
                return held.Count > 0 && await CheckoutAsync(token, held, counted: false) is "bought" or "ordered";
            }
        }

        return false;
    }

    /// <summary>Two tiers sharing --seats, a quarter of them the dearer.</summary>
    private async Task<Guid[]> CreateTiersAsync(Guid eventId, string suffix)
    {
        var premium = settings.Seats / 4;
        var ids = new List<Guid>();
        foreach (var (name, price, capacity) in new[] { ("Standard", 4500, settings.Seats - premium), ("Premium", 9000, premium) })
        {
            var (status, tier) = await api.SendAsync(HttpMethod.Post, $"/api/events/{eventId}/tiers", TicketingApi.Organizer, "organizer",
                new { name = name + suffix, priceCents = price, currency = "eur", capacity = Math.Max(1, capacity), maxPerOrder = settings.MaxPerOrder }, CancellationToken.None);
            TicketingApi.Expect(HttpStatusCode.Created, status, tier);
            ids.Add(tier.GetProperty("id").GetGuid());
        }

        return [.. ids];
    }

    /// <summary>Sets the on-sale (again); answers its opening and its passes' lifetime in minutes as stored.</summary>
    private async Task<(DateTimeOffset OpensAt, int PassMinutes)> PutOnSaleAsync(Guid eventId, DateTimeOffset opensAt)
    {
        var (status, onSale) = await api.SendAsync(HttpMethod.Put, $"/api/events/{eventId}/onsale", TicketingApi.Organizer, "organizer",
            new { opensAt, admitPerMinute = settings.AdmitPerMinute, maxPerBuyer = settings.MaxPerBuyer }, CancellationToken.None);
        TicketingApi.Expect(HttpStatusCode.OK, status, onSale);
        return (onSale.GetProperty("opensAt").GetDateTimeOffset(), onSale.GetProperty("passMinutes").GetInt32());
    }

    /// <summary>Most buyers want the cheaper tier; one in four the dearer.</summary>
    private static int[] Preference(int index) => index % 4 == 0 ? [1, 0] : [0, 1];

    private static async Task<(int Status, string? Body)> SendSafelyAsync(
        Transport transport, HttpMethod method, string path, string token, byte[]? body = null,
        KeyValuePair<string, string>[]? headers = null, string contentType = "application/json")
    {
        try
        {
            return await transport.SendAsync(method, path, token, body, headers, contentType);
        }
        catch (Exception exception)
        {
            return (0, exception.GetType().Name);
        }
    }

    private static async Task<(int Status, string? Body)> Timed(LoadRun.Recorder recorder, int expected, Func<Task<(int Status, string? Body)>> step)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await step();
        recorder.Record(result.Status == expected ? StepOutcome.Success : StepOutcome.Failed(Cause(result.Status, result.Body)), Stopwatch.GetTimestamp() - started);
        return result;
    }

    /// <summary>The status and problem code of an answer; for no answer at all, what went wrong.</summary>
    private static string Cause(int status, string? body) =>
        status == 0 ? body ?? "no answer" : TicketingApi.Cause((HttpStatusCode)status, body);

    private static Guid Id(string? json)
    {
        using var document = JsonDocument.Parse(json ?? "null");
        return document.RootElement.GetProperty("id").GetGuid();
    }

    private static double Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1)];

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}
