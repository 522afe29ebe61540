using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.OnSales;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.OnSales;
using Ticketing.Grains.Failures;
using Ticketing.Persistence.Events;
using Ticketing.Persistence.OnSales;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// An event's on-sale and the admission from its waiting room. Not
/// reentrant: a change of rules and an admission round never interleave
/// (reads of the rules do). While the event has an on-sale, a timer runs the
/// rounds and a reminder brings the grain back if its silo goes.
/// <para>
/// A round: at the opening, draw a seed and store it before anything uses
/// it, and have every shard read its places with it. Then, each interval,
/// work out how many buyers the rate lets in by now, ask every shard for its
/// next places, pick the first ones in admission order, store the step, and
/// only then tell the shards. The stored steps say who is admitted, so a
/// round cut short by a crash admits nobody twice and skips nobody.
/// </para>
/// </summary>
public sealed class OnSaleGrain(
    OnSaleStore onSales,
    QueueStore queue,
    TierStore tiers,
    EventOwners owners,
    TimeProvider clock,
    IOptions<QueueOptions> options,
    ILogger<OnSaleGrain> logger) : Grain, IOnSaleGrain, IRemindable
{
    private const string KeepAlive = "onsale";

    private OnSaleRules? rules;
    private QueueOpening? opening;
    private bool shardsDrawn;
    private AdmissionStep? lastStep;
    private long spent;
    private long waiting;
    private long admitted;
    private IGrainTimer? rounds;

    private Guid EventId => this.GetPrimaryKey();

    private DateTimeOffset Now => clock.GetUtcNow();

    private bool IsOpen => rules is { } current && (opening is not null || Now >= current.OpensAt);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        rules = await onSales.FindAsync(EventId, cancellationToken);
        if (rules is not null)
        {
            await Resume(rules);
        }
    }

    public Task<OnSaleRules?> Rules() => Task.FromResult(rules);

    public Task<OnSaleView?> Get() => Task.FromResult(View());

    public async Task<OnSaleResult> Set(OnSaleRules proposed, string organizationId)
    {
        if (proposed.EventId != EventId)
        {
            throw new ArgumentException($"On-sale grain of event {EventId} was sent rules for event {proposed.EventId}.", nameof(proposed));
        }

        // The caller checked too; the on-sale still refuses another organization itself.
        if (await owners.OfEventAsync(EventId, CancellationToken.None) != organizationId)
        {
            return new OnSaleResult(OnSaleOutcome.EventNotFound, null);
        }

        if (rules is { } current && IsOpen && proposed.OpensAt != current.OpensAt)
        {
            return new OnSaleResult(OnSaleOutcome.AlreadyOpen, View());
        }

        var stored = await onSales.SetAsync(proposed, CancellationToken.None);
        if (stored.Id != rules?.Id)
        {
            await Resume(stored);
        }

        rules = stored;
        await TellTiers(stored);
        await this.RegisterOrUpdateReminder(KeepAlive, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        return new OnSaleResult(OnSaleOutcome.Done, View());
    }

    public async Task<OnSaleOutcome> Remove(string organizationId)
    {
        if (await owners.OfEventAsync(EventId, CancellationToken.None) != organizationId)
        {
            return OnSaleOutcome.EventNotFound;
        }

        await onSales.RemoveAsync(EventId, CancellationToken.None);
        var removed = rules;
        rules = null;
        rounds?.Dispose();
        rounds = null;
        // Also when this activation knew of none: a tier may still hold one a failed removal left.
        await TellTiers(null);
        if (removed is not null)
        {
            await Task.WhenAll(QueueShards.All(GrainFactory, removed.Id).Select(shard => Tell(shard, "close", () => shard.Close())));
        }

        if (await this.GetReminder(KeepAlive) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
        return OnSaleOutcome.Done;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Activating started the rounds; a reminder left by a removal that failed half-way goes.
        if (rules is null && await this.GetReminder(KeepAlive) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private OnSaleView? View() => rules is { } current ? new OnSaleView(current, IsOpen, waiting, admitted) : null;

    /// <summary>Reads what is stored of the on-sale's queue and runs its rounds.</summary>
    private async Task Resume(OnSaleRules onSale)
    {
        opening = await queue.FindOpeningAsync(onSale.Id, CancellationToken.None);
        lastStep = await queue.LastStepAsync(onSale.Id, CancellationToken.None);
        shardsDrawn = false;
        spent = admitted = lastStep?.AdmittedTotal ?? 0;
        waiting = 0;
        rounds ??= this.RegisterGrainTimer(Round, new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.AdmissionInterval) { KeepAlive = true });
    }

    private async Task Round(CancellationToken cancellationToken)
    {
        if (rules is not { } onSale)
        {
            return;
        }

        try
        {
            await Round(onSale, QueueShards.All(GrainFactory, onSale.Id));
        }
        catch (Exception exception)
        {
            // The next round starts again from what is stored.
            logger.Log(TransientFailure.Is(exception) ? LogLevel.Warning : LogLevel.Error, exception,
                "On-sale {OnSaleId} of event {EventId}: admission round failed", onSale.Id, EventId);
        }
    }

    private async Task Round(OnSaleRules onSale, IQueueShardGrain[] shards)
    {
        var now = Now;
        if (opening is null && now < onSale.OpensAt)
        {
            waiting = (await Task.WhenAll(shards.Select(shard => shard.Counts()))).Sum(counts => counts.Waiting);
            return;
        }

        // Stored before any shard uses it; a seed stored by an earlier activation is the one.
        opening ??= await queue.OpenAsync(onSale.Id, EventId, RandomNumberGenerator.GetBytes(32), WholeSeconds(now), CancellationToken.None);
        if (!shardsDrawn)
        {
            await Task.WhenAll(shards.Select(shard => shard.Open()));
            shardsDrawn = true;
        }

        var allowance = Admission.Allowance(onSale, opening.OpenedAt, now);
        spent = Math.Max(spent, allowance - Admission.Carry(onSale));
        var due = (int)Math.Clamp(allowance - spent, 0, Admission.MostPerStep);
        // Nothing due admits nobody: a round that only refreshes the counts reads nothing.
        var watermark = due > 0 ? await queue.LastArrivalAsync(CancellationToken.None) : 0;
        var last = lastStep?.Number ?? 0;
        var progress = await Task.WhenAll(shards.Select(shard => shard.Next(onSale, last, due)));
        waiting = progress.Sum(shard => shard.Waiting);
        admitted = progress.Sum(shard => shard.Admitted);
        var chosen = Admission.Choose(progress.Select(shard => shard.Next), due, watermark);
        if (chosen.Count == 0)
        {
            return;
        }

        var step = new AdmissionStep(last + 1, chosen[^1], WholeSeconds(now), (lastStep?.AdmittedTotal ?? 0) + chosen.Count);
        if (!await queue.AdmitAsync(onSale.Id, step, CancellationToken.None))
        {
            // Another activation stored this step (a silo was thought gone): carry on after what is stored.
            lastStep = await queue.LastStepAsync(onSale.Id, CancellationToken.None);
            spent = Math.Max(spent, lastStep?.AdmittedTotal ?? 0);
            return;
        }

        lastStep = step;
        spent += chosen.Count;
        waiting -= chosen.Count;
        admitted += chosen.Count;
        await Task.WhenAll(shards.Select(shard => Tell(shard, "admit", () => shard.Admit(onSale, step))));
    }

    /// <summary>Every tier of the event takes the rules before the caller is answered, so the next hold obeys them.</summary>
    private async Task TellTiers(OnSaleRules? onSale)
    {
        var eventTiers = await tiers.ListForEventsAsync([EventId], CancellationToken.None);
        await Task.WhenAll(eventTiers.Select(tier => GrainFactory.Reference<ITicketTierGrain>(tier.Id).ApplyOnSale(onSale)));
    }

    /// <summary>A message a shard may miss: it reads what it missed from the tables when next asked, or when it activates.</summary>
    private async Task Tell(IQueueShardGrain shard, string what, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception exception) when (TransientFailure.Is(exception))
        {
            logger.LogWarning(exception, "On-sale of event {EventId}: shard {Shard} missed {What}", EventId, shard.GetGrainId(), what);
        }
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
}
