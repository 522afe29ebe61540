namespace Ticketing.Grains.Operations;

/// <summary>How often the operations jobs run, and what they keep (<c>Ticketing:Operations</c>).</summary>
public sealed class OperationsOptions
{
    public const string Section = "Ticketing:Operations";

    /// <summary>Alert evaluation period.</summary>
    public TimeSpan AlertInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Reconciliation period.</summary>
    public TimeSpan ReconciliationInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How far back reconciliation compares orders' money with Stripe.</summary>
    public TimeSpan ReconcileWindow { get; set; } = TimeSpan.FromDays(35);

    /// <summary>Orders older than this lose their contact details.</summary>
    public TimeSpan RetainContactsFor { get; set; } = TimeSpan.FromDays(3 * 365);

    /// <summary>Retention period.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);
}
