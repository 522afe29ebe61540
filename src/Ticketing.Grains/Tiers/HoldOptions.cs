namespace Ticketing.Grains.Tiers;

/// <summary>Ticketing:Holds configuration.</summary>
public sealed class HoldOptions
{
    public const string Section = "Ticketing:Holds";

    /// <summary>How long a hold keeps its tickets out of sale.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often an active tier grain looks for lapsed holds to free.</summary>
    public TimeSpan ExpiryScan { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a reminder wakes a deactivated tier that still has live holds.</summary>
    public TimeSpan WakeUp { get; set; } = TimeSpan.FromMinutes(1);
}
