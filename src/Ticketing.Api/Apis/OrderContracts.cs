using System.Net.Mail;
using Ticketing.Abstractions.Orders;
using Ticketing.Api.Limits;
using Ticketing.Domain.Orders;
using Ticketing.Persistence.Orders;

namespace Ticketing.Api.Apis;

internal sealed record OrderItemResponse(Guid TierId, int Quantity, long UnitPriceCents);

internal sealed record PaymentResponse(string Provider, string? PaymentIntentId, string? ClientSecret);

internal sealed record OrderResponse(
    Guid Id, Guid EventId, string Status, OrderItemResponse[] Items, long TotalCents, string Currency,
    PaymentResponse Payment, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? PaidAt,
    long RefundedCents, long RefundPendingCents, Guid[] RefundPendingTicketIds, string? StatusReason)
{
    /// <param name="order">The order.</param>
    /// <param name="showSecret">Only the buyer sees the client secret that pays the order.</param>
    public static OrderResponse From(OrderSnapshot order, bool showSecret) => new(
        order.Id, order.EventId, order.Status.Name(),
        order.Items.Select(i => new OrderItemResponse(i.TierId, i.Quantity, i.UnitPriceCents)).ToArray(),
        order.TotalCents, order.Currency,
        new PaymentResponse("stripe", order.PaymentIntentId, showSecret ? order.ClientSecret : null),
        order.CreatedAt, order.ExpiresAt, order.PaidAt, order.RefundedCents, order.RefundPendingCents, [.. order.RefundPendingTicketIds], order.StatusReason);
}

internal sealed record TicketResponse(Guid Id, Guid OrderId, Guid TierId, int SequenceNumber, string Status, string? QrToken)
{
    /// <param name="ticket">The ticket.</param>
    /// <param name="showToken">The QR token is shown to the ticket's owner only.</param>
    public static TicketResponse From(OrderTicket ticket, bool showToken) =>
        new(ticket.Id, ticket.OrderId, ticket.TierId, ticket.SequenceNumber, ticket.Status, showToken ? ticket.QrToken : null);
}

/// <summary>An order found by its contact e-mail address (<c>GET /api/orders?email=</c>).</summary>
internal sealed record OrderMatchResponse(
    Guid Id, Guid EventId, string EventTitle, string Status, long TotalCents, string Currency, int Quantity,
    string ContactEmail, string? ContactName, DateTimeOffset CreatedAt, DateTimeOffset? PaidAt)
{
    public static OrderMatchResponse From(OrderMatch match) => new(
        match.Id, match.EventId, match.EventTitle, match.Status, match.TotalCents, match.Currency, match.Quantity,
        match.ContactEmail, match.ContactName, match.CreatedAt, match.PaidAt);
}

/// <summary>What an order's contact e-mail address must be, when it is given and when it is looked for.</summary>
internal static class EmailAddress
{
    public const int MaxLength = 254;

    public static bool IsValid(string? value) =>
        value is { Length: > 0 } && Text.IsClean(value, MaxLength) && MailAddress.TryCreate(value, out _);
}

internal sealed record ContactRequest(string? Email, string? Name, string? Phone);

internal sealed record PlaceOrderRequest(Guid[]? HoldIds, ContactRequest? Contact)
{
    public const int MaxHolds = 20;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (HoldIds is not { Length: > 0 and <= MaxHolds } || HoldIds.Contains(Guid.Empty))
        {
            errors["holdIds"] = [$"holdIds is required: 1 to {MaxHolds} hold ids."];
        }
        else if (HoldIds.Distinct().Count() != HoldIds.Length)
        {
            errors["holdIds"] = ["holdIds names a hold twice."];
        }

        if (!EmailAddress.IsValid(Contact?.Email))
        {
            errors["contact.email"] = ["contact.email is required: an e-mail address."];
        }

        if (!Text.IsCleanText(Contact?.Name, 200))
        {
            errors["contact.name"] = ["contact.name is required, at most 200 characters, without control characters."];
        }

        if (Contact?.Phone is { } phone && !Text.IsClean(phone, 40))
        {
            errors["contact.phone"] = ["contact.phone is at most 40 characters, without control characters."];
        }

        return errors;
    }

    public OrderContact ToContact() => new(Contact!.Email!, Contact.Name!.Trim(), Contact.Phone);
}

internal sealed record RefundRequestBody(Guid[]? TicketIds)
{
    /// <summary>Tickets named in one refund; leaving them out refunds all, however many.</summary>
    public const int MaxTickets = 200;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (TicketIds is { Length: 0 or > MaxTickets } || (TicketIds is not null && (TicketIds.Contains(Guid.Empty) || TicketIds.Distinct().Count() != TicketIds.Length)))
        {
            errors["ticketIds"] = [$"ticketIds, when given, names 1 to {MaxTickets} distinct tickets (leave it out to refund all)."];
        }

        return errors;
    }
}
