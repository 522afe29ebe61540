namespace Ticketing.Abstractions.OnSales;

/// <summary>An on-sale and its waiting room's counts, as of the last admission round (at most a few seconds old).</summary>
/// <param name="Rules">The on-sale's rules.</param>
/// <param name="Open">Whether its opening time has come.</param>
/// <param name="Waiting">Buyers in the waiting room not admitted yet.</param>
/// <param name="Admitted">Buyers admitted so far.</param>
[GenerateSerializer, Immutable]
public sealed record OnSaleView(
    [property: Id(0)] OnSaleRules Rules,
    [property: Id(1)] bool Open,
    [property: Id(2)] long Waiting,
    [property: Id(3)] long Admitted);
