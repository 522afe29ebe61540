namespace Ticketing.Abstractions.Tiers;

/// <summary>Where a hold is in its life. Only <see cref="Active"/> holds count against capacity.</summary>
public enum HoldStatus
{
    /// <summary>Live: its tickets are reserved until it expires.</summary>
    Active,

    /// <summary>Given back by its buyer (or replaced by a newer hold).</summary>
    Released,

    /// <summary>Its lifetime ran out before it was paid for.</summary>
    Expired,

    /// <summary>Turned into issued tickets by an order.</summary>
    Consumed,
}
