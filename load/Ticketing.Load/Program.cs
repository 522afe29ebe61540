using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Ticketing.Load;
using Ticketing.Load.Scenarios;

if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 200;
}

var target = new Option<string>("--target") { Description = "Base URL of the API silo.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
var scenario = new Option<string>("--scenario") { Description = "hot-tier | baseline | onsale-race | scan | checkout | onsale | waiting-memory | room-look", Required = true };
scenario.AcceptOnlyFromAmong("hot-tier", "baseline", "onsale-race", "scan", "checkout", "onsale", "waiting-memory", "room-look");
var users = new Option<int>("--users") { Description = "Virtual users (closed model) or most requests in flight (open model).", DefaultValueFactory = _ => 100 };
var rate = new Option<double?>("--rate") { Description = "Requests per second for an open-model run; closed model when absent." };
var duration = new Option<double>("--duration") { Description = "Measured seconds.", DefaultValueFactory = _ => 20 };
var warmup = new Option<double>("--warmup") { Description = "Seconds run before measuring (tiered JIT settles in about 30 s on 2 cores); onsale warms up at least this long, then until the silo's JIT is quiet (at most four times as long).", DefaultValueFactory = _ => 30 };
var capacity = new Option<int>("--capacity") { Description = "onsale-race: the tier's capacity.", DefaultValueFactory = _ => 50 };
var connection = new Option<string?>("--connection") { Description = "PostgreSQL connection string: the baseline runs on it, and onsale-race checks the database." };
var baselineConnection = new Option<string?>("--baseline-connection") { Description = "PostgreSQL connection string of a database of the baseline's own, so that its rows and dead versions don't weigh on the run after it; --connection when absent." };
var signingKey = new Option<string>("--signing-key") { Description = "The silo's HS256 key, to mint the users' tokens.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("Ticketing__Auth__SigningKey") ?? "" };
var output = new Option<string>("--out") { Description = "Folder for the JSON and Markdown results.", DefaultValueFactory = _ => "load/results" };
var noBaseline = new Option<bool>("--no-baseline") { Description = "hot-tier, scan: skip the baseline (reference) run in the same invocation." };
var stripe = new Option<string?>("--stripe") { Description = "checkout: the Stripe emulator's base URL (the buyers pay there)." };
var stripeKey = new Option<string>("--stripe-key") { Description = "checkout: a secret key the emulator accepts.", DefaultValueFactory = _ => "sk_test_load" };
var tickets = new Option<int>("--tickets") { Description = "scan: tickets issued at the venue before the gates open.", DefaultValueFactory = _ => 400_000 };
var siloPid = new Option<int?>("--silo-pid") { Description = "The silo's process id on this machine: reports its CPU per request (steadier than throughput)." };
var emulatorPid = new Option<int?>("--emulator-pid") { Description = "The Stripe emulator's process id on this machine: reports its CPU per request too." };
var onsaleDefaults = new OnsaleSettings();
var entrants = new Option<int>("--entrants") { Description = "onsale: buyers who join the waiting room.", DefaultValueFactory = _ => onsaleDefaults.Entrants };
var earlyShare = new Option<double>("--early-share") { Description = "onsale: the share of entrants who join before the opening.", DefaultValueFactory = _ => onsaleDefaults.EarlyShare };
var admitPerMinute = new Option<int>("--admit-per-minute") { Description = "onsale: the on-sale's admission rate.", DefaultValueFactory = _ => onsaleDefaults.AdmitPerMinute };
var maxPerBuyer = new Option<int>("--max-per-buyer") { Description = "onsale: the on-sale's tickets per buyer (0: no cap).", DefaultValueFactory = _ => onsaleDefaults.MaxPerBuyer ?? 0 };
var seats = new Option<int>("--seats") { Description = "onsale: seats on sale, over two tiers.", DefaultValueFactory = _ => onsaleDefaults.Seats };
var lateRate = new Option<double>("--late-rate") { Description = "onsale: joins a second after the opening.", DefaultValueFactory = _ => onsaleDefaults.LateRate };
var inFlight = new Option<int>("--in-flight") { Description = "onsale: most requests in flight at once, long-polls included (each holds a connection).", DefaultValueFactory = _ => onsaleDefaults.InFlight };
var joiners = new Option<int>("--joiners") { Description = "onsale: joins in flight at once, before the opening (back to back) and after it.", DefaultValueFactory = _ => onsaleDefaults.Joiners };
var waiting = new Option<int>("--waiting") { Description = "waiting-memory: buyers waiting in the room when the silo's memory is read.", DefaultValueFactory = _ => 1_000_000 };
var noComparison = new Option<bool>("--no-comparison") { Description = "onsale: skip the same arrivals without an on-sale." };

var root = new RootCommand("Load harness for the ticketing API: scenarios, virtual users, closed and open load, percentiles.")
{
    target, scenario, users, rate, duration, warmup, capacity, connection, baselineConnection, signingKey, output, noBaseline, siloPid, emulatorPid, tickets, stripe, stripeKey,
    entrants, earlyShare, admitPerMinute, maxPerBuyer, seats, lateRate, inFlight, joiners, noComparison, waiting,
};

root.SetAction(async parsed =>
{
    var name = parsed.GetValue(scenario)!;
    var shape = new LoadShape(parsed.GetValue(users), parsed.GetValue(rate),
        TimeSpan.FromSeconds(parsed.GetValue(duration)), TimeSpan.FromSeconds(parsed.GetValue(warmup)));
    var connectionString = parsed.GetValue(connection);
    var baselineConnectionString = parsed.GetValue(baselineConnection) ?? connectionString;
    var key = parsed.GetValue(signingKey)!;
    if (name != "baseline" && key.Length < 32)
    {
        AnsiConsole.MarkupLine("[red]--signing-key (or Ticketing__Auth__SigningKey) must be the silo's key, 32 bytes or more.[/]");
        return 2;
    }

    if ((name is "baseline" or "scan" or "onsale" or "waiting-memory" || (name == "hot-tier" && !parsed.GetValue(noBaseline))) && connectionString is null)
    {
        AnsiConsole.MarkupLine("[red]--connection is needed for the baseline (or pass --no-baseline), the scan's tickets and the on-sale's safety counts.[/]");
        return 2;
    }

    using var api = new TicketingApi(new Uri(parsed.GetValue(target)!), key, shape.Users);
    var results = new List<RunResult>();
    var probe = MachineProbe.Measure();
    using var sampler = MachineSampler.Start();
    var cpu = CpuAccount.For(parsed.GetValue(siloPid), parsed.GetValue(emulatorPid));
    var notes = new List<string>();
    var exitCode = 0;
    switch (name)
    {
        case "baseline":
            results.Add(await Baseline.RunAsync(baselineConnectionString!, shape, cpu));
            break;
        case "hot-tier":
            if (!parsed.GetValue(noBaseline))
            {
                results.Add(await Baseline.RunAsync(baselineConnectionString!, shape, cpu));
                await Baseline.TidyAsync(baselineConnectionString!);
                notes.Add(baselineConnectionString == connectionString
                    ? "Between the runs: VACUUM (ANALYZE) of ticket_tiers and ticket_holds, and a CHECKPOINT."
                    : "The baseline ran on a database of its own; between the runs: VACUUM (ANALYZE) of its tables and a CHECKPOINT.");
            }

            results.Add(await HotTier.RunAsync(api, shape, cpu));
            if (results.Count == 2 && results[0].Throughput > 0)
            {
                notes.Add(string.Create(CultureInfo.InvariantCulture,
                    $"hot-tier / baseline throughput: {results[1].Throughput / results[0].Throughput:0.0}x (target >= 20x); hot-tier p99 {results[1].P99Ms:0.0} ms (target < 25 ms)"));
            }

            break;
        case "room-look":
            results.Add(await RoomLook.RunAsync(api, shape, cpu));
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"room-look: {results[0].Throughput:0} looks/s, p99 {results[0].P99Ms:0.0} ms; silo CPU a look {results[0].Cpu?.Silo:0} us, allocated {results[0].SiloAllocatedPerRequest:0} B"));
            break;
        case "scan":
            if (!parsed.GetValue(noBaseline))
            {
                results.Add(await Scan.ReferenceAsync(api, shape, cpu));
            }

            results.Add(await Scan.RunAsync(api, shape, parsed.GetValue(tickets), connectionString!, cpu));
            var ratio = results.Count == 2 && results[0].Throughput > 0 ? results[1].Throughput / results[0].Throughput : (double?)null;
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"scan: {results[^1].Throughput:0} scans/s (target >= 5,000), p99 {results[^1].P99Ms:0.0} ms (target < 20 ms); {ratio:0.00}x the reference's throughput"));
            break;
        case "checkout":
            if (parsed.GetValue(stripe) is not { } stripeUrl)
            {
                AnsiConsole.MarkupLine("[red]--stripe (the emulator's URL) is needed for checkout.[/]");
                return 2;
            }

            results.AddRange(await Checkout.RunAsync(api, new Uri(stripeUrl), parsed.GetValue(stripeKey)!, shape, cpu));
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"checkout: {results[0].Throughput:0} orders/s completed (target >= 1,000); step p99s: {string.Join(", ", results.Skip(1).Select(r => $"{r.Name.Trim()} {r.P99Ms:0.0} ms"))} (target < 50 ms each)"));
            break;
        case "onsale":
            var onsale = await Onsale.RunAsync(api, new OnsaleSettings(
                    parsed.GetValue(entrants), parsed.GetValue(earlyShare), parsed.GetValue(admitPerMinute),
                    parsed.GetValue(maxPerBuyer) is > 0 and var cap ? cap : null, parsed.GetValue(seats), parsed.GetValue(lateRate),
                    parsed.GetValue(inFlight), parsed.GetValue(joiners), !parsed.GetValue(noComparison)) { WarmUp = shape.Warmup },
                connectionString!, parsed.GetValue(stripe) is { } onsaleStripe ? new Uri(onsaleStripe) : null, parsed.GetValue(stripeKey)!,
                parsed.GetValue(siloPid), cpu);
            results.AddRange(onsale.Results);
            notes.AddRange(onsale.Notes);
            exitCode = onsale.Safe ? 0 : 1;
            break;
        case "waiting-memory":
            var (placesRead, memoryNotes) = await WaitingMemory.RunAsync(api, parsed.GetValue(waiting), connectionString!, parsed.GetValue(siloPid));
            results.Add(placesRead);
            notes.AddRange(memoryNotes);
            exitCode = placesRead.Successes == placesRead.Requests ? 0 : 1;
            break;
        case "onsale-race":
            var (run, verdict) = await OnsaleRace.RunAsync(api, shape.Users, parsed.GetValue(capacity), connectionString);
            results.Add(run);
            notes.Add(verdict.ToString());
            exitCode = verdict.Exact ? 0 : 1;
            break;
    }

    foreach (var run in results.Where(r => r.Identities is not null))
    {
        notes.Add($"{run.Name.Trim()}: the virtual users acted as {run.Identities} identities in turn, each within the silo's default rate limits");
    }

    // By row: a request can show in more than one (a step and its whole purchase).
    var rateLimited = results.Where(r => r.RateLimited > 0).Select(r => $"{r.Name.Trim()} {r.RateLimited}").ToList();
    notes.Add(rateLimited.Count == 0
        ? "rate-limited (429): none"
        : $"rate-limited (429): {string.Join(", ", rateLimited)}. Every identity is paced under the silo's default limits (SiloLimits): a limit or the pacing regressed.");
    if (rateLimited.Count > 0)
    {
        exitCode = 1;
    }

    sampler?.Dispose();
    probe = probe with { DuringRunWalkMs = sampler?.MedianWalkMs, DuringRunSamples = sampler?.Samples ?? 0 };
    notes.Insert(0, probe.ToString());
    notes.InsertRange(1, results.Where(r => r.Cpu is not null).Select(r => $"{r.Name.Trim()}: {r.Cpu}"));
    RunResult.Print(results, notes);
    var (json, markdown) = RunResult.Write(parsed.GetValue(output)!, name, probe, results, notes);
    AnsiConsole.MarkupLineInterpolated($"[grey]written: {json}, {markdown}[/]");
    return exitCode;
});

return await root.Parse(args).InvokeAsync();
