namespace Ticketing.Abstractions.Operations;

/// <summary>The alert evaluator (key 0): measures the invariants every minute, by reminder.</summary>
public interface IAlertsGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the reminder is registered, and evaluates once.</summary>
    Task Start();

    /// <summary>Evaluates every alert now.</summary>
    Task<IReadOnlyList<AlertState>> Evaluate();

    /// <summary>The last evaluation (evaluating now when there is none).</summary>
    Task<IReadOnlyList<AlertState>> Latest();
}
