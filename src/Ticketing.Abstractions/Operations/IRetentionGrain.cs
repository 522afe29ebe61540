namespace Ticketing.Abstractions.Operations;

/// <summary>
/// Data retention (key 0), daily by reminder: anonymizes the contact details of
/// orders older than the configured age, keeping money and ticket records.
/// </summary>
public interface IRetentionGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the daily reminder is registered.</summary>
    Task Start();

    /// <summary>Anonymizes what is due now; answers how many orders it changed.</summary>
    Task<int> Apply();
}
