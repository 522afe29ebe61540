using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Ticketing.Abstractions.OnSales;
using Ticketing.Domain.OnSales;
using Ticketing.Grains.Failures;
using Ticketing.Persistence.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// One shard of an on-sale's waiting room. Reentrant, like the tier grain:
/// each call decides synchronously before its first await, and the places
/// of buyers who join while a write is under way go into the next write, one
/// statement for all of them (group commit); each join is answered once its
/// place is durable. Looks are answered from the <see cref="WaitingLine"/>
/// in memory; a poll waits on its own silo (<see cref="QueueWatch"/>), which
/// follows the shard's <see cref="Frontier"/>. What the line holds follows from the
/// stored places, the opening's seed and the admission steps alone, so any
/// activation, on any silo, rebuilds the same line.
/// </summary>
[Reentrant]
public sealed class QueueShardGrain(
    QueueStore store,
    AdmissionPasses passes,
    TimeProvider clock,
    ILogger<QueueShardGrain> logger) : Grain, IQueueShardGrain
{
    private readonly Dictionary<PlaceId, Task> joining = [];
    private List<(PlaceId Id, NewPlace Place)> gathered = [];
    private TaskCompletionSource? nextWrite;
    private Task inFlight = Task.CompletedTask;
    private bool writerRunning;
    private WaitingLine line = WaitingLine.Undrawn();
    private QueueOpening? opening;
    private bool opened;
    private bool closed;
    private bool leaving;
    private OnSaleRules? onSale;
    private Task loading = Task.CompletedTask;

    private Guid OnSaleId => this.GetPrimaryKey(out _);

    private int Shard
    {
        get
        {
            this.GetPrimaryKey(out string? shard);
            return int.Parse(shard!, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private DateTimeOffset Now => clock.GetUtcNow();

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Load();

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Leave();
        return Task.CompletedTask;
    }

    public async Task<QueueTicket?> Join(OnSaleRules onSale, string userId)
    {
        await Loaded();
        Take(onSale);
        if (closed)
        {
            return null;
        }

        var id = PlaceId.Of(userId);
        if (!line.Contains(id))
        {
            if (!joining.TryGetValue(id, out var written))
            {
                // Decided now: a place taken before this shard heard of the opening is early.
                gathered.Add((id, new NewPlace(userId, Early: !opened, JoinedAt: WholeSeconds(Now))));
                joining[id] = written = Write();
            }

            await written;
            await Loaded(); // a reload may have begun during the write
        }

        var ticket = Ticket(userId, id);
        if (ticket is null && !closed)
        {
            throw new QueueUnavailableException(OnSaleId);
        }

        return ticket;
    }

    public async Task<PlaceLook?> Look(OnSaleRules onSale, string userId)
    {
        await Loaded();
        Take(onSale);
        var id = PlaceId.Of(userId);
        if (joining.TryGetValue(id, out var written))
        {
            // The buyer's own join is still being written: its outcome is theirs to hear.
            await written.ContinueWith(_ => { }, TaskScheduler.Current);
            await Loaded();
        }

        return Ticket(userId, id) is { } ticket && line.TryFind(id, out var index)
            ? new PlaceLook(ticket, index, line.Drawn)
            : null;
    }

    public async Task<ShardFrontier> Frontier()
    {
        await Loaded();
        return new ShardFrontier(line.Drawn, line.AdmittedCount, closed);
    }

    public async Task Open()
    {
        await Loaded();
        if (line.Drawn)
        {
            return;
        }

        // From this turn on, places are late. Every early place is written
        // before the line is read again with the seed.
        opened = true;
        loading = Draw();
        await Loaded();
    }

    public async Task<ShardProgress> Next(OnSaleRules onSale, int lastStep, int count)
    {
        await Loaded();
        Take(onSale);
        if (!line.Drawn)
        {
            await Open();
        }

        if (!line.Drawn)
        {
            throw new InvalidOperationException($"On-sale {OnSaleId} admits, but its opening is not stored.");
        }

        if (line.LastStep < lastStep)
        {
            await CatchUp();
        }

        // Every place numbered before the caller looked at the arrival
        // sequence is in a write under way or done: once they are durable
        // and in the line, none of them can be missed.
        await WritesDone();
        await Loaded();
        return new ShardProgress(line.Next(count), line.Waiting, line.AdmittedCount);
    }

    public async Task<ShardProgress> Counts()
    {
        await Loaded();
        return new ShardProgress([], line.Waiting, line.AdmittedCount);
    }

    public async Task Admit(OnSaleRules onSale, AdmissionStep step)
    {
        await Loaded();
        Take(onSale);
        if (!line.Drawn)
        {
            await Open();
        }

        if (step.Number == line.LastStep + 1)
        {
            Apply(step);
        }
        else if (step.Number > line.LastStep)
        {
            await CatchUp();
        }
    }

    public Task Close()
    {
        closed = true;
        Leave();
        return Task.CompletedTask;
    }

    /// <summary>The buyer's place as it now stands; null when they have none.</summary>
    private QueueTicket? Ticket(string userId, PlaceId id)
    {
        if (closed || onSale is not { } rules || !line.TryFind(id, out var index))
        {
            return null;
        }

        var joinedAt = line.JoinedAt(index);
        if (line.AdmittedAt(index) is { } admittedAt)
        {
            var expiresAt = admittedAt + rules.PassLifetime;
            var pass = new AdmissionPass(passes.Issue(rules, userId, expiresAt), expiresAt);
            return new QueueTicket(rules.EventId, Now < expiresAt ? QueueStatus.Admitted : QueueStatus.Expired, null, joinedAt, admittedAt, pass);
        }

        // Estimated from this shard alone: buyers land on shards evenly, so
        // each place ahead here stands for one in every shard. Before the
        // draw, any place in it may come first.
        long ahead = line.Drawn ? index - line.AdmittedCount : line.Count - 1;
        var position = ahead * QueueShards.Count + 1;
        var from = Now > rules.OpensAt ? Now : rules.OpensAt;
        var estimate = WholeSeconds(from + TimeSpan.FromMinutes((double)(position - 1) / rules.AdmitPerMinute));
        return new QueueTicket(rules.EventId, QueueStatus.Waiting, position, joinedAt, estimate, null);
    }

    private void Take(OnSaleRules rules)
    {
        if (rules.Id != OnSaleId)
        {
            throw new ArgumentException($"Shard of on-sale {OnSaleId} was sent the rules of on-sale {rules.Id}.", nameof(rules));
        }

        onSale = rules;
    }

    private void Apply(AdmissionStep step)
    {
        line.Admit(step);
    }

    /// <summary>Applies the durable steps this line has not had (a message lost with a silo, or one still on its way).</summary>
    private async Task CatchUp()
    {
        var steps = await store.StepsAsync(OnSaleId, line.LastStep, CancellationToken.None);
        await Loaded();
        foreach (var step in steps.Where(step => step.Number > line.LastStep))
        {
            if (step.Number != line.LastStep + 1)
            {
                break; // a reload began and ended meanwhile with fewer steps: the next round catches up
            }

            Apply(step);
        }
    }

    /// <summary>Every place gathered so far is written, or its write failed (and the activation is leaving).</summary>
    private async Task WritesDone()
    {
        try
        {
            await (nextWrite?.Task ?? inFlight);
        }
        catch (QueueUnavailableException)
        {
            // Its callers were told; Loaded() refuses what follows.
        }
    }

    /// <summary>Makes the places gathered so far durable: joins the write being gathered, and starts the writer if none is running.</summary>
    private Task Write()
    {
        nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var durable = nextWrite.Task;
        if (!writerRunning)
        {
            writerRunning = true;
            _ = WriteBatches();
        }

        return durable;
    }

    private async Task WriteBatches()
    {
        try
        {
            while (nextWrite is { } batch)
            {
                nextWrite = null;
                inFlight = batch.Task;
                var places = gathered;
                gathered = [];
                try
                {
                    var stored = await store.JoinAsync(OnSaleId, Shard, [.. places.Select(p => p.Place)], CancellationToken.None);
                    if (Place(stored, places))
                    {
                        Forget(places);
                        batch.SetResult();
                        continue;
                    }

                    // Written by an earlier write whose answer was lost, maybe: the tables know where it belongs.
                    logger.LogWarning("Queue shard {OnSaleId}/{Shard}: a stored place does not fit the line in memory; it reads its places again", OnSaleId, Shard);
                }
                catch (Exception exception)
                {
                    logger.Log(TransientFailure.Is(exception) ? LogLevel.Warning : LogLevel.Error, exception,
                        "Queue shard {OnSaleId}/{Shard} could not write {Places} places; it reads its places again", OnSaleId, Shard, places.Count);
                }

                // Kept or not, nobody is told a place was: the line in memory
                // may lack what is stored, so this activation goes and the
                // next one reads the tables. Joining again is safe.
                var later = nextWrite;
                nextWrite = null;
                Forget(places);
                Forget(gathered);
                gathered = [];
                Leave();
                batch.SetException(new QueueUnavailableException(OnSaleId));
                later?.SetException(new QueueUnavailableException(OnSaleId));
            }
        }
        finally
        {
            writerRunning = false;
        }
    }

    /// <summary>Puts the stored places into the line; false when one does not fit, or a buyer's place is missing.</summary>
    private bool Place(IReadOnlyList<QueuePlace> stored, List<(PlaceId Id, NewPlace Place)> asked)
    {
        var fits = true;
        foreach (var place in stored.OrderBy(place => place.Arrival))
        {
            var id = PlaceId.Of(place.UserId);
            if (!line.Contains(id))
            {
                fits &= line.Add(id, KeyOf(place), place.JoinedAt);
            }
        }

        return fits && asked.All(place => line.Contains(place.Id));
    }

    private void Forget(List<(PlaceId Id, NewPlace Place)> places)
    {
        foreach (var (id, _) in places)
        {
            joining.Remove(id);
        }
    }

    private QueueKey KeyOf(QueuePlace place) =>
        !place.Early ? QueueKey.LateArrival(place.Arrival)
        : opening is { } open ? QueueKey.Early(Admission.Rank(open.Seed, place.UserId), place.Arrival)
        : QueueKey.Early(0, place.Arrival); // ranked at the draw

    /// <summary>Writes every early place, then reads the line again with the opening's seed.</summary>
    private async Task Draw()
    {
        await WritesDone();
        await Load();
    }

    /// <summary>Every later call is refused: the activation goes, and the next one reads the tables afresh.</summary>
    private void Leave()
    {
        if (!leaving)
        {
            leaving = true;
            DeactivateOnIdle();
        }
    }

    private async Task Load()
    {
        // A shard of a removed on-sale may be called again (rules kept on a silo, a poll parked before the
        // removal): it must answer as closed, not from the places kept for audit.
        if (!await store.IsCurrentAsync(OnSaleId, CancellationToken.None))
        {
            closed = true;
        }

        var stored = await store.FindOpeningAsync(OnSaleId, CancellationToken.None);
        var places = new List<(PlaceId, QueueKey, DateTimeOffset)>();
        await foreach (var place in store.PlacesAsync(OnSaleId, Shard, CancellationToken.None))
        {
            var key = stored is null ? QueueKey.Early(0, place.Arrival) : Admission.KeyOf(stored.Seed, place.UserId, place.Arrival, place.Early);
            places.Add((PlaceId.Of(place.UserId), key, place.JoinedAt));
        }

        var read = stored is null ? WaitingLine.Undrawn(places) : WaitingLine.InDrawnOrder(places);
        if (stored is not null)
        {
            foreach (var step in await store.StepsAsync(OnSaleId, 0, CancellationToken.None))
            {
                read.Admit(step);
            }
        }

        opening = stored;
        opened |= stored is not null;
        line = read;
    }

    /// <summary>
    /// Waits out the draw's reading of the line, so nothing is decided on a
    /// line being replaced; refuses once the activation is leaving (a write
    /// or a read failed), so the caller retries on the next activation.
    /// </summary>
    private async Task Loaded()
    {
        while (!loading.IsCompleted)
        {
            await loading.ContinueWith(_ => { }, TaskScheduler.Current);
        }

        if (loading.IsFaulted && !leaving)
        {
            logger.LogWarning(loading.Exception, "Queue shard {OnSaleId}/{Shard} could not read its places", OnSaleId, Shard);
            Leave();
        }

        if (leaving && !closed)
        {
            throw new QueueUnavailableException(OnSaleId);
        }
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
