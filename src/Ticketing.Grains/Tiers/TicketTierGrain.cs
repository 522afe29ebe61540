using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Ticketing.Abstractions.OnSales;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Tiers;
using Ticketing.Grains.Failures;
using Ticketing.Grains.OnSales;
using Ticketing.Persistence.Events;
using Ticketing.Persistence.OnSales;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Grains.Tiers;

/// <summary>
/// One tier's inventory. Reentrant, but every decision is made synchronously
/// on the grain's single thread before the first await, so requests never
/// interleave inside a decision. Changes made while a write is in flight
/// gather into the next write: concurrent requests share one transaction, and
/// each is answered only once its change is durable (group commit).
/// </summary>
[Reentrant]
public sealed class TicketTierGrain(
    TierRepository repository,
    HoldStore holds,
    EventOwners owners,
    OnSaleStore onSales,
    AdmissionPasses passes,
    TimeProvider clock,
    IOptions<HoldOptions> options,
    TierMetrics metrics,
    ILogger<TicketTierGrain> logger) : Grain, ITicketTierGrain, IRemindable
{
    private const string ExpiryReminder = "hold-expiry";

    private TierInventory? inventory;
    private OnSaleRules? onSale;
    private long version;
    private Task loading = Task.CompletedTask;
    private bool writerRunning;
    private TaskCompletionSource? nextWrite;
    private Task inFlight = Task.CompletedTask;
    private Task? reminderRegistration;

    private Guid TierId => this.GetPrimaryKey();

    private DateTimeOffset Now => clock.GetUtcNow();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await Load();
        this.RegisterGrainTimer(FreeLapsedHolds, options.Value.ExpiryScan, options.Value.ExpiryScan);
        if (inventory is { ActiveHoldCount: > 0 })
        {
            EnsureExpiryReminder();
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (loading.IsFaulted)
        {
            // A write failed and the database could not be read again: what is
            // in memory holds decisions whose callers were told nothing was
            // kept. None of it may be written now.
            return;
        }

        inventory?.ExpireDue(Now);
        if (inventory is { HasChanges: true })
        {
            await Write();
        }
    }

    public async Task<TierResult> GetTier()
    {
        await Loaded();
        if (inventory is null)
        {
            return NoTier();
        }

        inventory.ExpireDue(Now); // written by the next write or the expiry timer
        return new TierResult(TierOutcome.Done, inventory.Tier);
    }

    public async Task<ReserveResult> Reserve(string userId, int quantity, string? admissionPass = null)
    {
        await Loaded();
        if (inventory is null)
        {
            return new ReserveResult(NoTier().Outcome, null, $"No tier {TierId}.");
        }

        if (onSale is not null && passes.Check(admissionPass, onSale, userId, Now) is var pass and not PassCheck.Valid)
        {
            return new ReserveResult(TierOutcome.AdmissionRequired, null, pass switch
            {
                PassCheck.Missing => "This event is on sale through its waiting room: join the queue, then hold with your admission pass in the Admission-Pass header.",
                PassCheck.Expired => "Your admission pass has expired.",
                _ => "That admission pass is not yours, or not for this on-sale.",
            });
        }

        if (onSale is { MaxPerBuyer: { } cap } && inventory.Refusal(userId, quantity, Now) is null)
        {
            return await ReserveWithinCap(onSale.EventId, cap, userId, quantity);
        }

        return await Place(Guid.CreateVersion7(), userId, quantity);
    }

    /// <summary>
    /// Asks the buyer's allowance in the event before deciding, then tells it
    /// what became of the hold. Only the allowance's answer is awaited between
    /// the two: the tier's own decision is still made in one synchronous step.
    /// </summary>
    private async Task<ReserveResult> ReserveWithinCap(Guid eventId, int cap, string userId, int quantity)
    {
        var holdId = Guid.CreateVersion7();
        var allowance = GrainFactory.Reference<IBuyerAllowanceGrain>(eventId, userId);
        var claim = await allowance.Claim(holdId, TierId, quantity, cap);
        if (!claim.Granted)
        {
            return new ReserveResult(TierOutcome.BuyerLimit, null,
                $"One buyer may have at most {cap} tickets of this event at once (live holds, unpaid orders and tickets, across its tiers); you have {claim.Counted} besides this hold.");
        }

        ReserveResult result;
        var deciding = false;
        try
        {
            await Loaded(); // a reload may have begun during the claim
            if (inventory is null)
            {
                result = new ReserveResult(NoTier().Outcome, null, $"No tier {TierId}.");
            }
            else
            {
                deciding = true;
                result = await Place(holdId, userId, quantity);
            }
        }
        catch
        {
            // Before the decision nothing was written; after it, only the write can have failed.
            await allowance.Settle(holdId, deciding ? HoldFate.WriteFailed : HoldFate.Refused);
            throw;
        }

        await allowance.Settle(holdId, result.Outcome == TierOutcome.Done ? HoldFate.Placed : HoldFate.Refused);
        return result;
    }

    private async Task<ReserveResult> Place(Guid holdId, string userId, int quantity)
    {
        var result = inventory!.Reserve(holdId, userId, quantity, Now, options.Value.Ttl);
        if (result.Outcome == TierOutcome.Done)
        {
            await Write();
            metrics.HoldsPlaced.Add(1);
            if (result.ReplacedHoldId is not null)
            {
                metrics.HoldsReleased.Add(1);
            }

            EnsureExpiryReminder();
        }

        return result;
    }

    public async Task ApplyOnSale(OnSaleRules? rules)
    {
        await Loaded();
        if (inventory is not null && (rules is null || rules.EventId == inventory.Tier.EventId))
        {
            onSale = rules;
        }
    }

    public async Task<TierOutcome> Release(Guid holdId, string userId)
    {
        await Loaded();
        if (inventory is null)
        {
            return NoTier().Outcome;
        }

        inventory.ExpireDue(Now); // written by the next write or the expiry timer
        if (inventory.FindActiveHold(holdId) is { } live)
        {
            if (live.UserId != userId)
            {
                return TierOutcome.HoldNotFound;
            }

            // Released, its tickets could be sold to another before the order is paid.
            if (await holds.InOpenOrderAsync(holdId, CancellationToken.None))
            {
                return TierOutcome.HoldInOrder;
            }

            await Loaded(); // a reload may have begun during the read
            if (inventory?.Release(holdId, userId, Now) == TierOutcome.Done)
            {
                await Write();
                metrics.HoldsReleased.Add(1);
                return TierOutcome.Done;
            }

            // It ended during the read: judged as any ended hold.
        }

        return await ReleaseEnded(holdId, userId);
    }

    /// <summary>
    /// A hold this tier no longer has live: its row says how it ended.
    /// Releasing a released or expired hold changes nothing.
    /// </summary>
    private async Task<TierOutcome> ReleaseEnded(Guid holdId, string userId)
    {
        // Its end may still be in a write: once durable, the row says what this tier says.
        await Durable();
        var hold = await holds.FindAsync(holdId, Now, CancellationToken.None);
        if (hold is null || hold.TierId != TierId || hold.UserId != userId)
        {
            return TierOutcome.HoldNotFound;
        }

        if (hold.Status == HoldStatus.Consumed)
        {
            return TierOutcome.HoldConsumed;
        }

        // An unpaid order whose hold lapsed still pays with it: cancel the order first.
        return await holds.InOpenOrderAsync(holdId, CancellationToken.None) ? TierOutcome.HoldInOrder : TierOutcome.Done;
    }

    public async Task<TierResult> ChangeCapacity(int capacity, string organizationId)
    {
        await Loaded();
        if (inventory is null)
        {
            return NoTier();
        }

        // The caller checked too; a tier still refuses another organization itself.
        var owner = await owners.OfEventAsync(inventory.Tier.EventId, CancellationToken.None);
        await Loaded(); // a reload may have begun while the owner was looked up
        if (inventory is null)
        {
            return NoTier();
        }

        if (owner != organizationId)
        {
            return new TierResult(TierOutcome.TierNotFound, null);
        }

        var result = inventory.ChangeCapacity(capacity, Now);
        if (result.Outcome == TierOutcome.Done && inventory.HasChanges)
        {
            await Write();
        }

        return result;
    }

    public async Task<ConfirmResult> Confirm(Guid holdId, Guid orderId, int quantity)
    {
        await Loaded();
        if (inventory is null)
        {
            return new ConfirmResult(TierOutcome.TierNotFound, [], false);
        }

        var result = inventory.Confirm(holdId, orderId, quantity, Now, Guid.CreateVersion7);
        await Durable();
        return result;
    }

    public async Task<int> Void(Guid orderId, IReadOnlyList<Guid>? ticketIds, TicketEnd end)
    {
        await Loaded();
        if (inventory is null)
        {
            return 0;
        }

        var ended = inventory.Void(orderId, ticketIds, end);
        await Durable();
        return ended;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        await FreeLapsedHolds(CancellationToken.None);
        if (inventory is not { ActiveHoldCount: > 0 })
        {
            // Nothing left to expire: stop waking this tier until the next hold.
            reminderRegistration = null;
            if (await this.GetReminder(ExpiryReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            if (inventory is { ActiveHoldCount: > 0 })
            {
                // A hold arrived while unregistering: register again.
                EnsureExpiryReminder();
            }
        }
    }

    private async Task FreeLapsedHolds(CancellationToken cancellationToken)
    {
        await Loaded();
        if (inventory is not null && (inventory.ExpireDue(Now) > 0 || inventory.HasChanges))
        {
            await Write();
        }
    }

    /// <summary>
    /// Waits until what the inventory now says is durable, also when this call
    /// changed nothing: a repeated confirm or void answers from changes that
    /// may still be in a write that has not finished (or will fail).
    /// </summary>
    private Task Durable() => inventory is { HasChanges: true } ? Write() : inFlight;

    /// <summary>
    /// Makes every change so far durable: joins the write being gathered, and
    /// starts the writer if none is running.
    /// </summary>
    private Task Write()
    {
        nextWrite ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var durable = nextWrite.Task;
        if (!writerRunning)
        {
            // The flag, not the writer's task, says whether it runs: the
            // writer may finish synchronously, before its task is returned.
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
                if (inventory is null)
                {
                    batch.SetException(new InvalidOperationException($"Tier {TierId} no longer exists."));
                    continue;
                }

                var changes = inventory.TakeChanges();
                var tier = inventory.Tier;
                try
                {
                    if (changes.Count > 0)
                    {
                        version = await repository.ApplyAsync(tier, version, changes, CancellationToken.None);
                        Record(changes);
                    }

                    batch.SetResult();
                }
                catch (Exception exception)
                {
                    // Nothing of this batch is durable, and the decisions made
                    // since were made on top of it: fail them all and rebuild
                    // from the database, which is the truth.
                    metrics.WriteConflicts.Add(1);
                    logger.LogWarning(exception, "Tier {TierId} write of {Changes} changes failed; reloading", TierId, changes.Count);
                    var later = nextWrite;
                    nextWrite = null;
                    var reload = Reload();
                    batch.SetException(new TierUnavailableException(TierId));
                    later?.SetException(new TierUnavailableException(TierId));
                    try
                    {
                        await reload;
                    }
                    catch (Exception reloadFailure)
                    {
                        // Calls fail on the faulted load until a new activation reads afresh.
                        // The database being away is no bug: the next activation reads it once it is back.
                        logger.Log(TransientFailure.Is(reloadFailure) ? LogLevel.Warning : LogLevel.Error, reloadFailure,
                            "Tier {TierId} could not reload; deactivating", TierId);
                        DeactivateOnIdle();
                    }
                }
            }
        }
        finally
        {
            writerRunning = false;
        }
    }

    private void Record(IReadOnlyList<TierChange> changes)
    {
        metrics.WriteBatchSize.Record(changes.Count);
        var now = Now;
        foreach (var change in changes)
        {
            switch (change)
            {
                case HoldEnded { Status: HoldStatus.Expired } expired:
                    metrics.HoldsExpired.Add(1);
                    metrics.HoldExpiryLag.Record(Math.Max(0, (now - expired.ExpiresAt).TotalSeconds));
                    break;
                case TicketsIssued issued:
                    metrics.TicketsIssued.Add(issued.TicketIds.Count);
                    break;
                case TicketsEnded ended:
                    metrics.TicketsEnded.Add(ended.TicketIds.Count, new KeyValuePair<string, object?>("end", ended.End == TicketEnd.Refunded ? "refunded" : "voided"));
                    break;
            }
        }
    }

    /// <summary>
    /// Makes sure a reminder will wake this tier while it has live holds.
    /// Reminders only matter once the activation is gone (the grain timer
    /// frees holds while it lives), so a buyer is not kept waiting for the
    /// reminder table: registration runs beside the request, once.
    /// </summary>
    private void EnsureExpiryReminder()
    {
        if (reminderRegistration is null || reminderRegistration.IsFaulted)
        {
            reminderRegistration = RegisterExpiryReminder();
        }
    }

    private async Task RegisterExpiryReminder()
    {
        try
        {
            await this.RegisterOrUpdateReminder(ExpiryReminder, options.Value.WakeUp, options.Value.WakeUp);
        }
        catch (Exception exception)
        {
            // The next hold tries again; until then the timer still frees holds.
            logger.LogWarning(exception, "Tier {TierId} could not register its expiry reminder", TierId);
            throw;
        }
    }

    private Task Reload() => loading = Load();

    private async Task Load()
    {
        var state = await repository.LoadAsync(TierId, CancellationToken.None);
        inventory = state is null ? null : new TierInventory(state.Tier, state.ActiveHolds, state.Tickets);
        onSale = state is null ? null : await onSales.FindAsync(state.Tier.EventId, CancellationToken.None);
        version = state?.Version ?? 0;
        if (state is not null && (state.Tier.Reserved != inventory!.Tier.Reserved || state.Tier.Issued != inventory.Tier.Issued))
        {
            logger.LogWarning(
                "Tier {TierId} stored reserved {StoredReserved} / issued {StoredIssued}, but its holds and tickets say {Reserved} / {Issued}; the next write corrects the row",
                TierId, state.Tier.Reserved, state.Tier.Issued, inventory.Tier.Reserved, inventory.Tier.Issued);
            inventory.CorrectStoredCounters(state.Tier.Reserved, state.Tier.Issued);
        }
    }

    /// <summary>
    /// Waits out a reload, so no decision is made on a state being replaced;
    /// throws when the reload failed, so none is made on a state the database
    /// no longer agrees with (the activation is on its way out).
    /// </summary>
    private async Task Loaded()
    {
        while (!loading.IsCompleted)
        {
            await loading;
        }

        if (loading.IsFaulted)
        {
            await loading;
        }
    }

    private TierResult NoTier()
    {
        // The tier may be created later: don't keep the empty activation around.
        DeactivateOnIdle();
        return new TierResult(TierOutcome.TierNotFound, null);
    }
}
