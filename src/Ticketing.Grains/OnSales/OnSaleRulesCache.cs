using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// Each event's on-sale rules as this silo last heard them, for the waiting
/// room's joins and looks: in an opening they come by the thousand a second,
/// and each would otherwise ask the on-sale grain first. Rules are kept for
/// one admission round. An event without an on-sale is asked every time, so
/// a new on-sale is heard at once; a question answered with nothing on kept
/// rules is asked again on fresh ones (<see cref="AskAsync"/>), so a removed
/// or replaced on-sale is never answered for.
/// </summary>
public sealed class OnSaleRulesCache(IGrainFactory grains, IOptions<QueueOptions> options, TimeProvider clock)
{
    private readonly TimeSpan lifetime = options.Value.AdmissionInterval;
    private readonly ConcurrentDictionary<Guid, (OnSaleRules Rules, long ReadAt)> known = new();

    /// <summary>
    /// Asks <paramref name="ask"/> with the event's rules. An answer of nothing
    /// on the silo's copy is checked with the on-sale grain: when another
    /// on-sale replaced the one kept, it is asked again with that one.
    /// HasOnSale is false when the event has no on-sale.
    /// </summary>
    public async Task<(bool HasOnSale, T? Answer)> AskAsync<T>(Guid eventId, Func<OnSaleRules, Task<T?>> ask)
        where T : class
    {
        var (onSale, kept) = await RulesAsync(eventId);
        if (onSale is null)
        {
            return (false, null);
        }

        var answer = await ask(onSale);
        if (answer is null && kept && await FreshAsync(eventId) is { } replaced && replaced.Id != onSale.Id)
        {
            answer = await ask(replaced);
        }

        return (true, answer);
    }

    /// <summary>The event's rules, and whether they came from this silo's copy rather than the on-sale grain.</summary>
    private async ValueTask<(OnSaleRules? Rules, bool Kept)> RulesAsync(Guid eventId) =>
        known.TryGetValue(eventId, out var kept) && clock.GetElapsedTime(kept.ReadAt) < lifetime
            ? (kept.Rules, true)
            : (await FreshAsync(eventId), false);

    /// <summary>The event's rules from its on-sale grain, kept for the next callers.</summary>
    private async Task<OnSaleRules?> FreshAsync(Guid eventId)
    {
        var readAt = clock.GetTimestamp();
        var rules = await grains.Reference<IOnSaleGrain>(eventId).Rules();
        if (rules is null)
        {
            known.TryRemove(eventId, out _);
        }
        else
        {
            known[eventId] = (rules, readAt);
        }

        return rules;
    }
}
