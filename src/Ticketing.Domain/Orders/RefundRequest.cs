namespace Ticketing.Domain.Orders;

/// <summary>
/// A refund asked for through the API, and the tickets it pays back. Kept
/// (by its idempotency key) before Stripe is asked, so a crash in between
/// still knows which tickets the money is for; the refund id follows.
/// </summary>
public sealed record RefundRequest(string Key, IReadOnlyList<Guid> TicketIds, long AmountCents, string? RefundId = null);
