namespace Ticketing.Domain.OnSales;

/// <summary>A buyer's live hold, as the allowance counts it.</summary>
public sealed record BuyerHold(Guid Id, Guid TierId, int Quantity);
