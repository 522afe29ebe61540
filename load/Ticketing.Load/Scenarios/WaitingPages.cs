using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ticketing.Load.Transports;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// The waiting room's browser pages: each long-polls its place
/// (<c>GET .../queue?waitSeconds=20</c>, again on each answer) until it is
/// admitted, as the storefront's page does; the poll that reaches past the
/// opening ends at the page's own moment 2 to 20 s after it
/// (<see cref="PageRest.WaitSeconds"/>). One connection per waiting buyer
/// is more than this machine allows (a process may open 20,000 files), so at
/// most <c>slots</c> pages poll at once, the ones the room will admit soonest
/// first (by their last estimate); the others stand for pages whose poll is
/// parked in the room. The room answers a long-poll early only when the
/// page's status changes, not its position, so a page learns its drawn
/// place when the poll it was waiting on ends: once the room has drawn
/// (<see cref="Drawn"/>), a page that has not heard from it since takes a
/// look (no <c>waitSeconds</c>: answered at once) when its parked poll would
/// have ended, and long-polls from then on. A page whose turn comes before
/// that would have been answered at its admission: it polls for real from a
/// little before its turn. Once a page has seen the line move, it rests while
/// far from its turn and then looks, as the storefront's page does
/// (<see cref="PageRest"/>).
/// </summary>
internal sealed class WaitingPages : IAsyncDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    /// <summary>How long before its drawn turn a page's parked poll is taken up for real: admission steps come on whole rounds, a little either side of the rate.</summary>
    private static readonly TimeSpan BeforeDrawnTurn = TimeSpan.FromSeconds(3);

    private readonly Transport silo;
    private readonly string queuePath;
    private readonly TimeSpan passLifetime;
    private readonly int admitPerMinute;
    private readonly Action<OnsaleEntrant, QueueAnswer> ended;
    private readonly int capacity;
    private readonly PriorityQueue<OnsaleEntrant, (long Due, long Turn)> waiting = new();
    private readonly Lock gate = new();
    private readonly SemaphoreSlim queued = new(0);
    private readonly SemaphoreSlim slots;
    private readonly CancellationTokenSource stop = new();
    private readonly Task pump;
    private readonly CancellationToken stopping;
    private long turns;
    private DateTimeOffset? shuffledAt;
    private long looks;
    private long restedLooks;

    public WaitingPages(Transport silo, string queuePath, int slots, TimeSpan passLifetime, int admitPerMinute, Action<OnsaleEntrant, QueueAnswer> ended)
    {
        this.silo = silo;
        this.queuePath = queuePath;
        this.passLifetime = passLifetime;
        this.admitPerMinute = admitPerMinute;
        this.ended = ended;
        capacity = Math.Max(1, slots);
        this.slots = new SemaphoreSlim(capacity);
        stopping = stop.Token;
        pump = Task.Run(PumpAsync);
    }

    /// <summary>Every poll's outcome (its latency is mostly the wait the page asked for).</summary>
    public LoadRun.Recorder Polls { get; } = new();

    /// <summary>Polls that were looks after the opening.</summary>
    public long Looks => Interlocked.Read(ref looks);

    /// <summary>Of those, the looks of pages that had rested far from their turn.</summary>
    public long RestedLooks => Interlocked.Read(ref restedLooks);

    /// <summary>The on-sale's opening, once set for the run: a place taken 2 s after it is never drawn (<see cref="PageRest"/>).</summary>
    public DateTimeOffset? OpensAt { get; set; }

    /// <summary>
    /// The room has drawn, and when each early page's turn comes at the
    /// on-sale's rate, replayed from the stored seed as an audit would: a page
    /// whose turn comes while its poll is parked in the room is answered
    /// there at its admission, so it polls for real from a little before its
    /// turn until its parked poll would have ended.
    /// </summary>
    public void Drawn(IEnumerable<(OnsaleEntrant Entrant, DateTimeOffset Turn)> turns)
    {
        foreach (var (entrant, turn) in turns)
        {
            entrant.DrawnTurn = turn;
        }

        lock (gate)
        {
            // What pages hear from now on is their drawn place.
            shuffledAt ??= DateTimeOffset.UtcNow;
            // The pages waiting for a slot go in the order their parked polls end or their turns come, not the order they queued.
            var queuedPages = waiting.UnorderedItems.ToArray();
            waiting.Clear();
            foreach (var (entrant, (due, turn)) in queuedPages)
            {
                var next = entrant.HeardSinceOpening || !entrant.Early ? due : ParkedPollWakes(entrant, ParkedPollEnds(entrant, shuffledAt!.Value)).UtcTicks;
                waiting.Enqueue(entrant, (next, turn));
            }
        }
    }

    /// <summary>
    /// Takes a waiting room's answer for a page: a place goes back to the
    /// polls; an admission (or any other end of waiting) to <c>ended</c>.
    /// </summary>
    public void Take(OnsaleEntrant entrant, QueueAnswer answer)
    {
        var now = DateTimeOffset.UtcNow;
        if (answer.Status != "waiting")
        {
            entrant.Pass = answer.Admitted ? answer.PassToken : null;
            // Once admitted, the estimate is when it happened; the pass's expiry less its lifetime says the same.
            entrant.AdmittedAt = answer.Admitted ? answer.EstimatedAdmissionAt ?? answer.PassExpiresAt - passLifetime : null;
            entrant.AdmissionSeenAt = now;
            ended(entrant, answer);
            return;
        }

        entrant.EstimatedAdmissionAt = answer.EstimatedAdmissionAt;
        entrant.LastAnswered = now;
        if (answer.Position is { } position)
        {
            entrant.LineMoved |= position < entrant.Position;
            entrant.Position = position;
        }

        lock (gate)
        {
            entrant.HeardSinceOpening = shuffledAt is { } shuffled && now >= shuffled;
        }

        var estimateHolds = entrant.LineMoved || PageRest.JoinedAfterOpening(answer.JoinedAt, OpensAt);
        if (estimateHolds && entrant.Position is { } place && PageRest.BeforeLook(place, admitPerMinute) is { } rest)
        {
            // Resting holds no request (and no slot): the page looks when it wakes.
            entrant.LooksNext = true;
            _ = EnqueueAtAsync(entrant, now + rest);
            return;
        }

        Enqueue(entrant, now);
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromMinutes(1));

    /// <summary>
    /// Stops polling and waits, at most <paramref name="within"/>, for the
    /// polls in flight to end; answers how many had not (a stopped run must
    /// not wait on a request that never ends).
    /// </summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        await stop.CancelAsync();
        await pump;
        // Every poll gives its slot back when it ends, cancelled or not.
        var until = Stopwatch.GetTimestamp() + (long)(within.TotalSeconds * Stopwatch.Frequency);
        for (var i = 0; i < capacity; i++)
        {
            var left = Stopwatch.GetTimestamp() >= until ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
            if (!await slots.WaitAsync(left))
            {
                return capacity - i;
            }
        }

        // The token source and semaphores stay undisposed: a page's retry may still be waiting on the token.
        return 0;
    }

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                await queued.WaitAsync(stop.Token);
                await slots.WaitAsync(stop.Token);
                OnsaleEntrant next;
                lock (gate)
                {
                    next = waiting.Dequeue();
                }

                _ = PollAsync(next);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the pages still waiting stay where they are.
        }
    }

    private async Task PollAsync(OnsaleEntrant entrant)
    {
        if (ParkedPollEnds(entrant) is { } end && end > DateTimeOffset.UtcNow)
        {
            // Its poll is still parked in the room: the page hears nothing before it ends, or its admission.
            var wake = ParkedPollWakes(entrant, end);
            if (wake > DateTimeOffset.UtcNow)
            {
                slots.Release();
                _ = EnqueueAtAsync(entrant, wake);
                return;
            }

            // Its turn is near: the poll parked in the room would be answered at the admission.
            entrant.PollsUntil = end;
        }

        // The slot is given back only once the answer is taken: when the pages are disposed, no admission is still on its way.
        try
        {
            QueueAnswer? answer = null;
            string? failure = null;
            var sent = Stopwatch.GetTimestamp();
            try
            {
                var path = WaitSeconds(entrant) is { } seconds ? $"{queuePath}?waitSeconds={seconds}" : queuePath;
                var (status, body) = await silo.SendAsync(HttpMethod.Get, path, entrant.Token, cancellationToken: stop.Token);
                if (status == 200)
                {
                    answer = QueueAnswer.Parse(body);
                }
                else
                {
                    failure = TicketingApi.Cause((HttpStatusCode)status, body);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failure = exception.GetType().Name;
            }

            Polls.Record(answer is null ? StepOutcome.Failed(failure!) : StepOutcome.Success, Stopwatch.GetTimestamp() - sent);
            if (answer is not null)
            {
                Take(entrant, answer);
                return;
            }
        }
        finally
        {
            slots.Release();
        }

        // As a page does after an error: try again a moment later.
        _ = RetryAsync(entrant);
    }

    private Task RetryAsync(OnsaleEntrant entrant) => EnqueueAtAsync(entrant, DateTimeOffset.UtcNow + RetryAfterFailure);

    private async Task EnqueueAtAsync(OnsaleEntrant entrant, DateTimeOffset at)
    {
        try
        {
            var wait = at - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, stopping);
            }

            Enqueue(entrant, DateTimeOffset.UtcNow);
        }
        catch (OperationCanceledException)
        {
            // Stopped meanwhile.
        }
    }

    /// <summary>
    /// For a page that has not heard from the room since it shuffled: when the
    /// poll it has been waiting on ends, its last answer plus a whole number of
    /// long-polls; null for any other page.
    /// </summary>
    private DateTimeOffset? ParkedPollEnds(OnsaleEntrant entrant)
    {
        DateTimeOffset shuffled;
        lock (gate)
        {
            // A page that joined after the opening polls for real: there are few of them, resting mostly.
            if (shuffledAt is not { } at || entrant.HeardSinceOpening || !entrant.Early)
            {
                return null;
            }

            shuffled = at;
        }

        return ParkedPollEnds(entrant, shuffled);
    }

    private DateTimeOffset ParkedPollEnds(OnsaleEntrant entrant, DateTimeOffset shuffled)
    {
        var end = entrant.LastAnswered;
        while (end < shuffled)
        {
            end += TimeSpan.FromSeconds(PageRest.WaitSeconds(end, OpensAt, entrant.AfterOpening));
        }

        return end;
    }

    /// <summary>When a page whose poll is parked until <paramref name="end"/> must be polling for real: a little before its drawn turn when that comes first.</summary>
    private static DateTimeOffset ParkedPollWakes(OnsaleEntrant entrant, DateTimeOffset end) =>
        entrant.DrawnTurn is { } turn && turn - BeforeDrawnTurn < end ? turn - BeforeDrawnTurn : end;

    private void Enqueue(OnsaleEntrant entrant, DateTimeOffset now)
    {
        // Until a page knows its place after the opening it is due now, so every page gets its look in turn; a rested page looks now too.
        var due = !entrant.LooksNext && entrant.HeardSinceOpening && entrant.EstimatedAdmissionAt is { } estimate ? estimate : now;
        lock (gate)
        {
            waiting.Enqueue(entrant, (due.UtcTicks, turns++));
        }

        queued.Release();
    }

    /// <summary>How long a page's poll may wait; null for a look, answered at once.</summary>
    private int? WaitSeconds(OnsaleEntrant entrant)
    {
        if (entrant.PollsUntil is { } until)
        {
            // Stands for the poll parked in the room: it waits as long as that one had left.
            entrant.PollsUntil = null;
            return (int)Math.Clamp(Math.Ceiling((until - DateTimeOffset.UtcNow).TotalSeconds), 1, PageRest.LongPoll.TotalSeconds);
        }

        if (entrant.LooksNext)
        {
            entrant.LooksNext = false;
            Interlocked.Increment(ref looks);
            Interlocked.Increment(ref restedLooks);
            return null;
        }

        lock (gate)
        {
            if (shuffledAt is null || entrant.HeardSinceOpening || !entrant.Early)
            {
                return PageRest.WaitSeconds(DateTimeOffset.UtcNow, OpensAt, entrant.AfterOpening);
            }
        }

        Interlocked.Increment(ref looks);
        return null;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Polls.Count} polls ({Looks} looks after the opening, {RestedLooks} of them after a rest), {Polls.FailureCount} failed");
}
