namespace Ticketing.Grains.OnSales;

/// <summary>Ticketing:OnSales configuration of the waiting room.</summary>
public sealed class QueueOptions
{
    public const string Section = "Ticketing:OnSales";

    /// <summary>How often an open on-sale admits the buyers due (the rate is kept over time, whatever the interval).</summary>
    public TimeSpan AdmissionInterval { get; set; } = TimeSpan.FromSeconds(1);
}
