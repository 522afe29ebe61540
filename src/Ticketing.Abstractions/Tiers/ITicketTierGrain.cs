using Ticketing.Abstractions.OnSales;

namespace Ticketing.Abstractions.Tiers;

/// <summary>
/// One tier's inventory: the only writer of its counters, its holds and the
/// issuance of its tickets. Every answer that changes something is given only
/// once the change is durable.
/// </summary>
public interface ITicketTierGrain : IGrainWithGuidKey
{
    /// <summary>The tier with live counters (lapsed holds never count).</summary>
    Task<TierResult> GetTier();

    /// <summary>
    /// Holds <paramref name="quantity"/> tickets for a buyer, replacing the
    /// buyer's earlier hold on this tier. While the event has an on-sale, only
    /// with the buyer's own live <paramref name="admissionPass"/>.
    /// </summary>
    Task<ReserveResult> Reserve(string userId, int quantity, string? admissionPass = null);

    /// <summary>
    /// Takes the event's on-sale rules (null once it has none). The tier also
    /// reads them when it activates; this tells a live activation at once.
    /// </summary>
    Task ApplyOnSale(OnSaleRules? rules);

    /// <summary>
    /// Gives a buyer's hold back: <see cref="TierOutcome.Done"/>, also when it
    /// already ended (released, expired: that changes nothing);
    /// <see cref="TierOutcome.HoldNotFound"/> for no hold of that buyer in this
    /// tier; <see cref="TierOutcome.HoldConsumed"/> once turned into tickets;
    /// <see cref="TierOutcome.HoldInOrder"/> while an unpaid order pays with it.
    /// </summary>
    Task<TierOutcome> Release(Guid holdId, string userId);

    /// <summary>
    /// Sets the capacity, never below held plus issued, for the organization
    /// that owns the tier's event; for any other organization the tier answers
    /// as if it did not exist and changes nothing.
    /// </summary>
    Task<TierResult> ChangeCapacity(int capacity, string organizationId);

    /// <summary>
    /// Turns an order's hold into issued tickets; idempotent per order. When the
    /// hold has lapsed, takes fresh capacity if there is enough.
    /// </summary>
    Task<ConfirmResult> Confirm(Guid holdId, Guid orderId, int quantity);

    /// <summary>
    /// Ends an order's issued tickets in this tier (all, or those named) and
    /// returns their capacity; idempotent. Answers how many were ended now.
    /// </summary>
    Task<int> Void(Guid orderId, IReadOnlyList<Guid>? ticketIds, TicketEnd end);
}
