namespace Ticketing.Grains.OnSales;

/// <summary>Ticketing:OnSales configuration of the waiting room.</summary>
public sealed class QueueOptions
{
    public const string Section = "Ticketing:OnSales";

    /// <summary>
    /// How often an open on-sale admits the buyers due (the rate is kept over
    /// time, whatever the interval), and how often a silo's parked polls ask
    /// whether theirs came. Short steps let admitted buyers arrive a few at a
    /// time rather than a second's worth at once.
    /// </summary>
    public TimeSpan AdmissionInterval { get; set; } = TimeSpan.FromMilliseconds(100);
}
