namespace Ticketing.Abstractions.OnSales;

/// <summary>The answer to a buyer's claim on their allowance.</summary>
/// <param name="Granted">True when the hold may be placed.</param>
/// <param name="Counted">The buyer's tickets counted besides this hold (less the hold it replaces, when a fresh read showed that no order pays with that one).</param>
[GenerateSerializer, Immutable]
public sealed record ClaimResult(
    [property: Id(0)] bool Granted,
    [property: Id(1)] int Counted);
