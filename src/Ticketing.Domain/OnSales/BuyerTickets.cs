namespace Ticketing.Domain.OnSales;

/// <summary>One buyer's tickets in one event, as the database has them at one moment.</summary>
/// <param name="Owed">Tickets of the buyer's orders: all those ordered while an order is unpaid or paid without its tickets yet, else its tickets still issued.</param>
/// <param name="Holds">The buyer's live holds no order pays with (at most one a tier).</param>
/// <param name="Written">Of the holds asked about, those that have a row: counted above if they still count.</param>
public sealed record BuyerTickets(int Owed, IReadOnlyList<BuyerHold> Holds, IReadOnlySet<Guid> Written);
