using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Abstractions.Orders;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Grains;
using Ticketing.Persistence.Orders;

namespace Ticketing.Api.Apis;

internal static class OrdersApi
{
    /// <summary>Well inside Orleans' 30 s response timeout and common proxies' idle timeouts.</summary>
    private const int MaxWaitSeconds = 20;

    /// <summary>A person reads a page of them; an address with more is a box office, found better by order id.</summary>
    private const int MaxOrdersFound = 50;

    private const string PaymentsUnavailable = "`payment-provider-unavailable`: Stripe could not be reached; nothing changed, retry.";

    public static void MapOrdersApi(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/api/orders").WithTags("Orders").RequireAuthorization(Roles.BuyerOrOrganizer).RequireRateLimiting(RateLimits.Orders);
        orders.MapPost("/", PlaceOrder).RequireAuthorization(Roles.Buyer)
            .MayAnswer(StatusCodes.Status409Conflict, "`hold-in-order`: a hold already belongs to another order.")
            .MayAnswer(StatusCodes.Status422UnprocessableEntity, "`hold-not-found` or `payment-refused`: a hold is not a live hold of the caller's, or Stripe refused the payment.")
            .MayAnswer(StatusCodes.Status503ServiceUnavailable, PaymentsUnavailable);
        orders.MapGet("/", FindOrdersByEmail).RequireAuthorization(Roles.Organizer);
        orders.MapGet("/{orderId:guid}", GetOrder);
        orders.MapGet("/{orderId:guid}/tickets", GetTickets);
        orders.MapPost("/{orderId:guid}/cancel", CancelOrder).RequireAuthorization(Roles.Buyer)
            .MayAnswer(StatusCodes.Status409Conflict, "`order-state`: the order is not unpaid any more (the payment may have gone through).")
            .MayAnswer(StatusCodes.Status503ServiceUnavailable, PaymentsUnavailable);
        orders.MapPost("/{orderId:guid}/refund", RefundOrder).RequireAuthorization(Roles.Organizer)
            .MayAnswer(StatusCodes.Status409Conflict, "`order-state`: the order is not fulfilled, or nothing is left to refund.")
            .MayAnswer(StatusCodes.Status422UnprocessableEntity, "`validation`: a ticket named is not a refundable ticket of this order.")
            .MayAnswer(StatusCodes.Status503ServiceUnavailable, PaymentsUnavailable);
    }

    /// <summary>Place an order</summary>
    /// <remarks>
    /// Turns the caller's holds into an unpaid order with a Stripe payment;
    /// <c>payment.clientSecret</c> pays it.
    /// </remarks>
    public static async Task<Results<Created<OrderResponse>, ProblemHttpResult>> PlaceOrder(
        PlaceOrderRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        var orderId = Guid.CreateVersion7();
        var result = await grains.Reference<IOrderGrain>(orderId).Place(new PlaceOrder(user.UserId(), request.HoldIds!, request.ToContact()));
        return result is { Outcome: OrderOutcome.Done, Order: { } order }
            ? TypedResults.Created($"/api/orders/{order.Id}", OrderResponse.From(order, showSecret: true))
            : Failure(result);
    }

    /// <summary>Find orders by the buyer's e-mail address</summary>
    /// <remarks>
    /// The orders of the caller's organizations' events whose contact e-mail
    /// address is <c>email</c> (in any case), newest first, at most 50. Orders
    /// whose buyer was erased, or whose contact details were retired, keep no
    /// address and are not found.
    /// </remarks>
    public static async Task<Results<Ok<OrderMatchResponse[]>, ProblemHttpResult>> FindOrdersByEmail(
        string? email, ClaimsPrincipal user, OrderRepository orders, CancellationToken cancellationToken)
    {
        if (!EmailAddress.IsValid(email))
        {
            return Problem.Validation("email", $"email is required: an e-mail address of at most {EmailAddress.MaxLength} characters.");
        }

        var matches = await orders.ByContactEmailAsync(email!, user.Organizations(), MaxOrdersFound, cancellationToken);
        return TypedResults.Ok(matches.Select(OrderMatchResponse.From).ToArray());
    }

    /// <summary>Get an order</summary>
    /// <remarks>
    /// The order. With <c>waitWhile</c> (a status, or several comma-separated)
    /// the answer waits until the order's status is none of them, at most
    /// <c>waitSeconds</c> (1 to 20, default 20), and is the order as it then
    /// is: a buyer's page waits for its tickets with one request instead of
    /// polling.
    /// </remarks>
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> GetOrder(
        Guid orderId, string? waitWhile, int? waitSeconds, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken)
    {
        OrderSnapshot? order;
        if (waitWhile is null && waitSeconds is null)
        {
            order = await Visible(orderId, user, access, grains, cancellationToken);
        }
        else if (ParseStatuses(waitWhile) is not { } statuses)
        {
            return Problem.Validation("waitWhile", $"waitWhile must be one or more order statuses, comma-separated ({string.Join(", ", OrderStatusNames.All)}).");
        }
        else if (waitSeconds is < 1 or > MaxWaitSeconds)
        {
            return Problem.Validation("waitSeconds", $"waitSeconds must be 1 to {MaxWaitSeconds}.");
        }
        else if (await Visible(orderId, user, access, grains, cancellationToken) is null)
        {
            // Answered at once, as for an order that does not exist: another buyer's order is never waited on.
            order = null;
        }
        else
        {
            order = (await grains.Reference<IOrderGrain>(orderId).WaitWhile(statuses, TimeSpan.FromSeconds(waitSeconds ?? MaxWaitSeconds))).Order;
        }

        return order is not null
            ? TypedResults.Ok(OrderResponse.From(order, showSecret: order.UserId == user.UserId()))
            : Problem.NotFound($"No order {orderId}.");
    }

    /// <summary>List an order's tickets</summary>
    /// <remarks>Only the buyer sees the tickets' QR tokens.</remarks>
    public static async Task<Results<Ok<TicketResponse[]>, ProblemHttpResult>> GetTickets(
        Guid orderId, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, OrderRepository orders, CancellationToken cancellationToken)
    {
        if (await Visible(orderId, user, access, grains, cancellationToken) is not { } order)
        {
            return Problem.NotFound($"No order {orderId}.");
        }

        var owner = order.UserId == user.UserId();
        var tickets = await orders.TicketsAsync(orderId, cancellationToken);
        return TypedResults.Ok(tickets.Select(t => TicketResponse.From(t, showToken: owner)).ToArray());
    }

    /// <summary>Cancel an unpaid order</summary>
    public static async Task<Results<Ok<OrderResponse>, ProblemHttpResult>> CancelOrder(Guid orderId, ClaimsPrincipal user, IGrainFactory grains)
    {
        var result = await grains.Reference<IOrderGrain>(orderId).Cancel(user.UserId());
        return result is { Outcome: OrderOutcome.Done, Order: { } order }
            ? TypedResults.Ok(OrderResponse.From(order, showSecret: true))
            : Failure(result);
    }

    /// <summary>Refund an order</summary>
    /// <remarks>
    /// Refunds the tickets named in <c>ticketIds</c>, or all of them when it is
    /// left out; the refund completes when Stripe confirms it.
    /// </remarks>
    public static async Task<Results<Accepted<OrderResponse>, ProblemHttpResult>> RefundOrder(
        Guid orderId, RefundRequestBody? request, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (request?.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        var grain = grains.Reference<IOrderGrain>(orderId);
        if ((await grain.Get()).Order is not { } placed || await access.OrganizerOfEventAsync(user, placed.EventId, cancellationToken) is not { } organizationId)
        {
            return Problem.NotFound($"No order {orderId}.");
        }

        var result = await grain.Refund(request?.TicketIds, organizationId);
        return result is { Outcome: OrderOutcome.Done, Order: { } order }
            ? TypedResults.Accepted($"/api/orders/{orderId}", OrderResponse.From(order, showSecret: false))
            : Failure(result);
    }

    /// <summary>The order, when the caller bought it or organizes its event; nobody else learns that it exists.</summary>
    private static async Task<OrderSnapshot?> Visible(Guid orderId, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken) =>
        await access.VisibleOrderAsync(user, (await grains.Reference<IOrderGrain>(orderId).Get()).Order, cancellationToken);

    private static HashSet<OrderStatus>? ParseStatuses(string? names)
    {
        var statuses = new HashSet<OrderStatus>();
        foreach (var name in names?.Split(',') ?? [""])
        {
            if (!OrderStatusNames.TryParse(name.Trim(), out var status))
            {
                return null;
            }

            statuses.Add(status);
        }

        return statuses;
    }

    private static ProblemHttpResult Failure(OrderResult result) => result.Outcome switch
    {
        OrderOutcome.NotFound => Problem.NotFound(result.Detail ?? "No such order."),
        OrderOutcome.HoldNotFound => Problem.Of(StatusCodes.Status422UnprocessableEntity, "hold-not-found", "Hold not usable.", result.Detail ?? "A hold is unknown or no longer live."),
        OrderOutcome.HoldInOrder => Problem.Conflict("hold-in-order", "Hold already in an order.", result.Detail ?? "`hold-in-order`: a hold already belongs to another order."),
        OrderOutcome.Invalid => Problem.Of(StatusCodes.Status422UnprocessableEntity, "validation", "The request is not valid.", result.Detail ?? "The request is not valid."),
        OrderOutcome.WrongState => Problem.Conflict("order-state", "Not possible in the order's state.", result.Detail ?? "Not possible in the order's state."),
        OrderOutcome.PaymentRefused => Problem.Of(StatusCodes.Status422UnprocessableEntity, "payment-refused", "Stripe refused the payment.", result.Detail ?? "Stripe refused the payment; asking again will not help."),
        _ => Problem.Of(StatusCodes.Status503ServiceUnavailable, "payment-provider-unavailable", "Stripe is unavailable.", result.Detail ?? "Stripe could not be reached; try again."),
    };
}
