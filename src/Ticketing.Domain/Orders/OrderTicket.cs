namespace Ticketing.Domain.Orders;

/// <summary>
/// A ticket of an order as the order sees it: <c>Status</c> is issued,
/// refunded or voided; <c>QrToken</c> is the live token (none once it ended).
/// </summary>
public sealed record OrderTicket(Guid Id, Guid OrderId, Guid TierId, int SequenceNumber, string Status, string? QrToken)
{
    public bool Issued => Status == "issued";
}
