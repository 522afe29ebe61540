namespace Ticketing.Abstractions.Operations;

/// <summary>One alert as last evaluated.</summary>
/// <param name="Name">The alert, as in the Prometheus rules and the runbook.</param>
/// <param name="Severity">P0 (wake someone now) to P2.</param>
/// <param name="Value">What was measured.</param>
/// <param name="Threshold">It fires when the value is above this.</param>
/// <param name="Firing">Whether it fires.</param>
/// <param name="EvaluatedAt">When it was measured.</param>
/// <param name="Runbook">Where the runbook explains it.</param>
[GenerateSerializer, Immutable]
public sealed record AlertState(
    [property: Id(0)] string Name,
    [property: Id(1)] string Severity,
    [property: Id(2)] double Value,
    [property: Id(3)] double Threshold,
    [property: Id(4)] bool Firing,
    [property: Id(5)] DateTimeOffset EvaluatedAt,
    [property: Id(6)] string Runbook);
