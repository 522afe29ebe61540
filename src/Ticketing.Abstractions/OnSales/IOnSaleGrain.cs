using Orleans.Concurrency;

namespace Ticketing.Abstractions.OnSales;

/// <summary>
/// An event's on-sale (keyed by the event id): its rules, the opening of its
/// waiting room and the admission of buyers from it at the set rate. The only
/// writer of the event's on-sale row and of its queue's admission steps.
/// </summary>
public interface IOnSaleGrain : IGrainWithGuidKey
{
    /// <summary>The event's on-sale rules; null when it has none.</summary>
    [AlwaysInterleave]
    Task<OnSaleRules?> Rules();

    /// <summary>The on-sale as a page shows it; null when the event has none.</summary>
    [AlwaysInterleave]
    Task<OnSaleView?> Get();

    /// <summary>
    /// Sets or replaces the event's on-sale for an organizer of
    /// <paramref name="organizationId"/>. Every tier of the event obeys it
    /// before this answers. Once open, its opening time no longer changes.
    /// </summary>
    /// <param name="proposed">The rules asked for; their id names a new on-sale, an existing one keeps its own.</param>
    /// <param name="organizationId">The organization the caller acts for.</param>
    Task<OnSaleResult> Set(OnSaleRules proposed, string organizationId);

    /// <summary>
    /// Removes the event's on-sale (nothing to do when it has none): its tiers
    /// sell without a pass again, and its waiting room closes.
    /// </summary>
    /// <param name="organizationId">The organization the caller acts for.</param>
    Task<OnSaleOutcome> Remove(string organizationId);
}
