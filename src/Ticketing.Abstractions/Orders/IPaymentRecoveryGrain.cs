namespace Ticketing.Abstractions.Orders;

/// <summary>
/// The one sweeper (key 0) that, by reminder, retries Stripe events whose
/// processing failed and resumes orders that still owe something, whatever
/// happened to the silos that were handling them.
/// </summary>
public interface IPaymentRecoveryGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the sweep's reminder is registered, and sweeps once.</summary>
    Task Start();

    /// <summary>One sweep now; answers how many events and orders it took up.</summary>
    Task<int> Sweep();
}
