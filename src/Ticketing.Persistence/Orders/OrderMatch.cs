namespace Ticketing.Persistence.Orders;

/// <summary>An order found by its contact e-mail address, with what an organizer needs to tell it apart from the others.</summary>
public sealed record OrderMatch(
    Guid Id, Guid EventId, string EventTitle, string Status, long TotalCents, string Currency, int Quantity,
    string ContactEmail, string? ContactName, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt);
