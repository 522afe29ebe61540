namespace Ticketing.Abstractions.Tiers;

/// <summary>How a request to a tier ended.</summary>
public enum TierOutcome
{
    /// <summary>Done, and durable.</summary>
    Done,

    /// <summary>No such tier.</summary>
    TierNotFound,

    /// <summary>No such hold of that buyer (no live one, where only a live one will do).</summary>
    HoldNotFound,

    /// <summary>Fewer tickets are available than asked for.</summary>
    SoldOut,

    /// <summary>The request breaks a rule of the tier (quantity out of range...).</summary>
    Invalid,

    /// <summary>Capacity cannot go below what is held and issued.</summary>
    BelowCommitted,

    /// <summary>The hold was already used by an order.</summary>
    HoldConsumed,

    /// <summary>An unpaid order pays with the hold.</summary>
    HoldInOrder,

    /// <summary>The event has an on-sale, and the buyer sent no live admission pass of their own.</summary>
    AdmissionRequired,

    /// <summary>The hold would take the buyer past the on-sale's tickets per buyer.</summary>
    BuyerLimit,
}

/// <summary>The answer to a reserve: the new hold, or why there is none.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Hold">The hold placed, when <see cref="TierOutcome.Done"/>.</param>
/// <param name="Detail">What a person should read when it failed.</param>
/// <param name="ReplacedHoldId">The buyer's earlier hold on the tier, released in the same step.</param>
[GenerateSerializer, Immutable]
public sealed record ReserveResult(
    [property: Id(0)] TierOutcome Outcome,
    [property: Id(1)] HoldInfo? Hold,
    [property: Id(2)] string? Detail,
    [property: Id(3)] Guid? ReplacedHoldId = null);

/// <summary>The answer to a capacity change or a read: the tier as it now stands.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Tier">The tier after the request (unchanged when refused).</param>
[GenerateSerializer, Immutable]
public sealed record TierResult(
    [property: Id(0)] TierOutcome Outcome,
    [property: Id(1)] TierSnapshot? Tier);

/// <summary>The answer to an order's confirm: the tickets issued for it in this tier.</summary>
/// <param name="Outcome"><see cref="TierOutcome.Done"/>, or <see cref="TierOutcome.SoldOut"/> when the hold lapsed and no capacity is left.</param>
/// <param name="TicketIds">The order's tickets in this tier, in sequence order.</param>
/// <param name="FromFreshCapacity">True when the hold had lapsed and fresh capacity was taken instead.</param>
[GenerateSerializer, Immutable]
public sealed record ConfirmResult(
    [property: Id(0)] TierOutcome Outcome,
    [property: Id(1)] IReadOnlyList<Guid> TicketIds,
    [property: Id(2)] bool FromFreshCapacity);

/// <summary>How a ticket leaves the issued state, giving its seat back to the tier.</summary>
public enum TicketEnd
{
    /// <summary>The money went back to the buyer.</summary>
    Refunded,

    /// <summary>Cancelled without a refund (a lost dispute, an organiser's action).</summary>
    Voided,
}
