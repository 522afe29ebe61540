namespace Ticketing.Abstractions.Tiers;

/// <summary>
/// The tier could not make a change durable (its write was refused or the
/// database failed) and is rebuilding from the database. Nothing of the
/// request was kept; the caller may retry at once.
/// </summary>
[GenerateSerializer]
public sealed class TierUnavailableException : Exception
{
    /// <summary>Creates the exception for a tier.</summary>
    /// <param name="tierId">The tier that failed to write.</param>
    public TierUnavailableException(Guid tierId)
        : base($"Tier {tierId} could not make the change durable; nothing was kept. Retry.")
    {
        TierId = tierId;
    }

    /// <summary>The tier that failed to write.</summary>
    [Id(0)]
    public Guid TierId { get; }
}
