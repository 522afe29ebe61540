using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// The waiting room's long-polls on this silo. A poll looks at its place in
/// its shard, then waits here rather than in a grain call held open: one loop
/// per on-sale asks the shards that have polls waiting how far they have
/// admitted once a round, as long as an admission step, and wakes the polls
/// they have passed: a poll hears of its admission at most a round (and a
/// call) late. A parked poll so keeps an entry in a list instead of a grain
/// call's message, callback and timer, and a shard answers one call per silo
/// and round however many of its buyers wait. When a capped on-sale's
/// admissions come within <see cref="PrepareAhead"/> of a parked buyer, their
/// allowance is asked to read what they have, so that their first hold is
/// not kept waiting for that read.
/// </summary>
public sealed class QueueWatch(IGrainFactory grains, IOptions<QueueOptions> options, TimeProvider clock, ILogger<QueueWatch> logger)
{
    /// <summary>How long before a parked buyer's admission, at the on-sale's rate, their allowance reads what they have.</summary>
    public static readonly TimeSpan PrepareAhead = TimeSpan.FromSeconds(5);

    private readonly TimeSpan round = options.Value.AdmissionInterval;

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, OnSaleWaits> onSales = [];

    /// <summary>
    /// The buyer's place: while they wait, answered as soon as that changes
    /// (or the on-sale is removed), and after <paramref name="timeout"/> (and
    /// at most a round) otherwise, as it then stands; at once for a buyer who
    /// no longer waits. Null when the buyer has no place, or the on-sale was
    /// removed.
    /// </summary>
    public async Task<QueueTicket?> WaitAsync(OnSaleRules onSale, string userId, TimeSpan timeout)
    {
        var until = clock.GetUtcNow() + timeout;
        var shardNumber = QueueShards.Of(userId);
        var shard = grains.ShardOf(onSale, userId);
        if (await shard.Look(onSale, userId) is not { } look)
        {
            return null;
        }

        // An admission (or an expiry) is news whenever it came: a page that asked
        // again just after its admission must not hear of it a whole wait late.
        var prepared = false;
        while (look.Ticket.Status == QueueStatus.Waiting && until > clock.GetUtcNow())
        {
            var waiter = Park(onSale, userId, shardNumber, look, until);
            var woken = await waiter.Woken.Task;
            prepared |= waiter.Prepared;
            if (woken == Wake.Removed || await shard.Look(onSale, userId) is not { } again)
            {
                return null;
            }

            look = again;
            if (woken == Wake.TimeUp)
            {
                break;
            }
        }

        if (look.Ticket.Status == QueueStatus.Admitted && !prepared)
        {
            // Admitted before a round saw its turn near (at the draw, or in a step larger than the look ahead).
            Prepare(onSale, userId);
        }

        return look.Ticket;
    }

    /// <summary>Polls parked on this silo now.</summary>
    public int Parked
    {
        get
        {
            lock (gate)
            {
                return onSales.Values.Sum(waits => waits.Waiters.Count);
            }
        }
    }

    /// <summary>A wait, woken when the place may have changed, the on-sale is removed, or at <paramref name="until"/>.</summary>
    private Waiter Park(OnSaleRules onSale, string userId, int shard, PlaceLook look, DateTimeOffset until)
    {
        var waiter = new Waiter(userId, shard, look.Index, look.Drawn, until);
        lock (gate)
        {
            if (!onSales.TryGetValue(onSale.Id, out var waits))
            {
                onSales[onSale.Id] = waits = new OnSaleWaits(onSale.EventId, onSale.Id);
                _ = FollowAsync(waits);
            }

            waits.Waiters.Add(waiter);
        }

        return waiter;
    }

    /// <summary>Each round, wakes the polls whose place may have changed or whose time is up; ends once none waits.</summary>
    private async Task FollowAsync(OnSaleWaits waits)
    {
        var failing = false;
        while (true)
        {
            await Task.Delay(round, clock);
            int[] shards;
            lock (gate)
            {
                if (waits.Waiters.Count == 0)
                {
                    onSales.Remove(waits.OnSaleId);
                    return;
                }

                shards = [.. waits.Waiters.Select(waiter => waiter.Shard).Distinct()];
            }

            var removed = false;
            var frontiers = new Dictionary<int, ShardFrontier>();
            OnSaleRules? rules = null;
            try
            {
                rules = await grains.Reference<IOnSaleGrain>(waits.EventId).Rules();
                removed = rules?.Id != waits.OnSaleId;
                if (!removed)
                {
                    var read = await Task.WhenAll(shards.Select(async shard => (shard, await grains.Reference<IQueueShardGrain>(waits.OnSaleId, shard).Frontier())));
                    frontiers = read.ToDictionary(pair => pair.shard, pair => pair.Item2);
                }

                failing = false;
            }
            catch (Exception exception)
            {
                // A shard or the on-sale is moving to another silo: waits run on to their time, or a later round.
                if (!failing)
                {
                    logger.LogWarning(exception, "Waiting room of on-sale {OnSaleId}: could not read how far its shards have admitted; polls wait on", waits.OnSaleId);
                }

                failing = true;
            }

            var now = clock.GetUtcNow();
            var near = removed || rules is not { MaxPerBuyer: not null } ? 0 : PlacesWithin(rules, PrepareAhead);
            var preparing = new List<string>();
            lock (gate)
            {
                waits.Waiters.RemoveAll(waiter =>
                {
                    var frontier = frontiers.GetValueOrDefault(waiter.Shard);
                    var wake = removed ? Wake.Removed
                        : frontier is not null && waiter.MayHaveChanged(frontier) ? Wake.MayHaveChanged
                        : waiter.Until <= now ? Wake.TimeUp
                        : (Wake?)null;
                    if (wake is { } woken)
                    {
                        return waiter.Woken.TrySetResult(woken);
                    }

                    if (frontier is not null && !waiter.Prepared && waiter.TurnNear(frontier, near))
                    {
                        waiter.Prepared = true;
                        preparing.Add(waiter.UserId);
                    }

                    return false;
                });
            }

            foreach (var userId in preparing)
            {
                Prepare(rules!, userId);
            }
        }
    }

    /// <summary>Not awaited: an allowance not ready reads at the buyer's first claim, as it would without this.</summary>
    private void Prepare(OnSaleRules onSale, string userId)
    {
        if (onSale.MaxPerBuyer is not null)
        {
            grains.Reference<IBuyerAllowanceGrain>(onSale.EventId, userId).Prepare().Ignore();
        }
    }

    /// <summary>Places one shard admits in <paramref name="time"/> at the on-sale's rate (buyers land on shards evenly).</summary>
    private static int PlacesWithin(OnSaleRules rules, TimeSpan time) =>
        (int)Math.Ceiling(rules.AdmitPerMinute * time.TotalMinutes / QueueShards.Count);

    private enum Wake
    {
        /// <summary>Admitted, redrawn, or its shard closed: look again.</summary>
        MayHaveChanged,

        /// <summary>The on-sale is gone (or replaced): the buyer has no place any more.</summary>
        Removed,

        /// <summary>Nothing changed within the wait.</summary>
        TimeUp,
    }

    private sealed class OnSaleWaits(Guid eventId, Guid onSaleId)
    {
        public Guid EventId { get; } = eventId;

        public Guid OnSaleId { get; } = onSaleId;

        public List<Waiter> Waiters { get; } = [];
    }

    private sealed class Waiter(string userId, int shard, int index, bool drawn, DateTimeOffset until)
    {
        public string UserId { get; } = userId;

        public int Shard { get; } = shard;

        /// <summary>Whether the buyer's allowance was asked to read what they have; set under the watch's lock before the wait is woken.</summary>
        public bool Prepared { get; set; }

        public DateTimeOffset Until { get; } = until;

        public TaskCompletionSource<Wake> Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Admitted, drawn (every early place moves), or closed.</summary>
        public bool MayHaveChanged(ShardFrontier frontier) => frontier.Closed || frontier.Drawn != drawn || frontier.Admitted > index;

        /// <summary>Among the next <paramref name="places"/> of its drawn shard to be admitted.</summary>
        public bool TurnNear(ShardFrontier frontier, int places) =>
            places > 0 && frontier.Drawn && drawn && index < frontier.Admitted + places;
    }
}
