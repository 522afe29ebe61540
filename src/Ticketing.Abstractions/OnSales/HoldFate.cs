namespace Ticketing.Abstractions.OnSales;

/// <summary>What became of the hold a granted claim was for.</summary>
public enum HoldFate
{
    /// <summary>The hold is durable.</summary>
    Placed,

    /// <summary>The tier refused it (too few tickets left...) and wrote nothing.</summary>
    Refused,

    /// <summary>
    /// The tier's write failed: it believes nothing was kept, but a write whose
    /// answer was lost may still have landed, so the claim counts until a read
    /// shows the hold has no row.
    /// </summary>
    WriteFailed,
}
