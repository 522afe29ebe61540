using System.Net.Mail;
using Ticketing.Abstractions.Orders;
using Ticketing.Persistence.Orders;

namespace Ticketing.Api.Apis;

internal sealed record OrderItemResponse(Guid TierId, int Quantity, long UnitPriceCents);

internal sealed record PaymentResponse(string Provider, string? PaymentIntentId, string? ClientSecret);

internal sealed record OrderResponse(
    Guid Id, Guid EventId, string Status, OrderItemResponse[] Items, long TotalCents, string Currency,
    PaymentResponse Payment, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, DateTimeOffset? PaidAt,
    long RefundedCents, string? StatusReason)
{
    /// <param name="order">The order.</param>
    /// <param name="showSecret">Only the buyer sees the client secret that pays the order.</param>
    public static OrderResponse From(OrderSnapshot order, bool showSecret) => new(
        order.Id, order.EventId, order.Status.Name(),
        order.Items.Select(i => new OrderItemResponse(i.TierId, i.Quantity, i.UnitPriceCents)).ToArray(),
        order.TotalCents, order.Currency,
        new PaymentResponse("stripe", order.PaymentIntentId, showSecret ? order.ClientSecret : null),
        order.CreatedAt, order.ExpiresAt, order.PaidAt, order.RefundedCents, order.StatusReason);
}

internal sealed record TicketResponse(Guid Id, Guid OrderId, Guid TierId, int SequenceNumber, string Status, string? QrToken)
{
    /// <param name="ticket">The ticket.</param>
    /// <param name="showToken">The QR token is shown to the ticket's owner only.</param>
    public static TicketResponse From(OrderTicket ticket, bool showToken) =>
        new(ticket.Id, ticket.OrderId, ticket.TierId, ticket.SequenceNumber, ticket.Status, showToken ? ticket.QrToken : null);
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

        if (Contact?.Email is not { Length: > 0 and <= 254 } email || !MailAddress.TryCreate(email, out _))
        {
            errors["contact.email"] = ["contact.email is required: an e-mail address."];
        }

        if (string.IsNullOrWhiteSpace(Contact?.Name) || Contact.Name.Length > 200)
        {
            errors["contact.name"] = ["contact.name is required, at most 200 characters."];
        }

        if (Contact?.Phone is { Length: > 40 })
        {
            errors["contact.phone"] = ["contact.phone is at most 40 characters."];
        }

        return errors;
    }

    public OrderContact ToContact() => new(Contact!.Email!, Contact.Name!.Trim(), Contact.Phone);
}

internal sealed record RefundRequestBody(Guid[]? TicketIds)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (TicketIds is { Length: 0 } || (TicketIds is not null && (TicketIds.Contains(Guid.Empty) || TicketIds.Distinct().Count() != TicketIds.Length)))
        {
            errors["ticketIds"] = ["ticketIds, when given, names one or more distinct tickets (leave it out to refund all)."];
        }

        return errors;
    }
}
