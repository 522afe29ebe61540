namespace Ticketing.Abstractions.OnSales;

/// <summary>How a change to an on-sale ended.</summary>
public enum OnSaleOutcome
{
    /// <summary>Done.</summary>
    Done,

    /// <summary>No such event, or one of another organization.</summary>
    EventNotFound,

    /// <summary>The on-sale is open: its opening time can no longer change.</summary>
    AlreadyOpen,
}

/// <summary>The answer to setting an on-sale.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="OnSale">The on-sale as it now stands, when <see cref="OnSaleOutcome.Done"/> or <see cref="OnSaleOutcome.AlreadyOpen"/>.</param>
[GenerateSerializer, Immutable]
public sealed record OnSaleResult(
    [property: Id(0)] OnSaleOutcome Outcome,
    [property: Id(1)] OnSaleView? OnSale);
