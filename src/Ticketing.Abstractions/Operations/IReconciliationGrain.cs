namespace Ticketing.Abstractions.Operations;

/// <summary>
/// Reconciliation (key 0), daily by reminder and on demand: tier counters
/// against holds and tickets, paid orders against tickets, revenue against
/// Stripe. Reports, repairs only what is provably safe, stores each run.
/// </summary>
public interface IReconciliationGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the daily reminder is registered.</summary>
    Task Start();

    /// <summary>Runs now; answers the stored report (JSON).</summary>
    Task<string> Run();
}
