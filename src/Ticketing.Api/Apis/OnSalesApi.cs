using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Abstractions.OnSales;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Grains;
using Ticketing.Grains.OnSales;

namespace Ticketing.Api.Apis;

internal static class OnSalesApi
{
    /// <summary>Well inside Orleans' 30 s response timeout and common proxies' idle timeouts.</summary>
    private const int MaxWaitSeconds = 20;

    public static void MapOnSalesApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events/{eventId:guid}").WithTags("On-sales");
        events.MapPut("/onsale", PutOnSale).RequireAuthorization(Roles.Organizer)
            .MayAnswer(StatusCodes.Status409Conflict, "`onsale-open`: the on-sale is open, and its `opensAt` can no longer change (the other fields can).");
        events.MapGet("/onsale", GetOnSale).RequireRateLimiting(RateLimits.Anonymous)
            .MayAnswer(StatusCodes.Status404NotFound, "`not-found`: the event has no on-sale (its tiers sell without a queue).");
        events.MapDelete("/onsale", DeleteOnSale).RequireAuthorization(Roles.Organizer);
        events.MapPost("/queue", JoinQueue).RequireAuthorization(Roles.Buyer).RequireRateLimiting(RateLimits.Queue)
            .MayAnswer(StatusCodes.Status404NotFound, "`not-found`: the event has no on-sale (hold without a pass).");
        events.MapGet("/queue", GetQueueTicket).RequireAuthorization(Roles.Buyer).RequireRateLimiting(RateLimits.Queue)
            .MayAnswer(StatusCodes.Status404NotFound, "`not-found`: the event has no on-sale (any more), or the caller has no place in its waiting room.");
    }

    /// <summary>Set an event's on-sale</summary>
    /// <remarks>
    /// Sets or replaces the on-sale: holds on the event's tiers then need an
    /// admission pass from its waiting room, which admits buyers from
    /// <c>opensAt</c> at <c>admitPerMinute</c>. Every tier obeys before this answers.
    /// </remarks>
    public static async Task<Results<Ok<OnSaleResponse>, ProblemHttpResult>> PutOnSale(
        Guid eventId, PutOnSaleRequest request, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        if (await access.OrganizerOfEventAsync(user, eventId, cancellationToken) is not { } organizationId)
        {
            return Problem.NotFound($"No event {eventId}.");
        }

        var result = await grains.Reference<IOnSaleGrain>(eventId).Set(request.ToRules(eventId), organizationId);
        return result switch
        {
            { Outcome: OnSaleOutcome.Done, OnSale: { } onSale } => TypedResults.Ok(OnSaleResponse.From(onSale)),
            { Outcome: OnSaleOutcome.AlreadyOpen, OnSale: { } onSale } => Problem.Conflict(
                "onsale-open", "On-sale open.", $"The on-sale opened at {onSale.Rules.OpensAt:O}: its opensAt can no longer change."),
            _ => Problem.NotFound($"No event {eventId}."),
        };
    }

    /// <summary>Get an event's on-sale</summary>
    /// <remarks><c>waiting</c> and <c>admitted</c> are as of the last admission round, at most a few seconds old.</remarks>
    public static async Task<Results<Ok<OnSaleResponse>, ProblemHttpResult>> GetOnSale(Guid eventId, IGrainFactory grains) =>
        await grains.Reference<IOnSaleGrain>(eventId).Get() is { } onSale
            ? TypedResults.Ok(OnSaleResponse.From(onSale))
            : Problem.NotFound($"Event {eventId} has no on-sale.");

    /// <summary>Remove an event's on-sale</summary>
    /// <remarks>The event's tiers sell without a pass again, and its waiting room closes. 204 also when it had none.</remarks>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteOnSale(
        Guid eventId, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (await access.OrganizerOfEventAsync(user, eventId, cancellationToken) is not { } organizationId)
        {
            return Problem.NotFound($"No event {eventId}.");
        }

        return await grains.Reference<IOnSaleGrain>(eventId).Remove(organizationId) == OnSaleOutcome.Done
            ? TypedResults.NoContent()
            : Problem.NotFound($"No event {eventId}.");
    }

    /// <summary>Join an event's waiting room</summary>
    /// <remarks>Takes a place, durable when answered; joining again answers the same place.</remarks>
    public static async Task<Results<Ok<QueueTicketResponse>, ProblemHttpResult>> JoinQueue(
        Guid eventId, ClaimsPrincipal user, IGrainFactory grains, OnSaleRulesCache rules)
    {
        var userId = user.UserId();
        var (hasOnSale, ticket) = await rules.AskAsync(eventId, onSale => grains.ShardOf(onSale, userId).Join(onSale, userId));
        if (!hasOnSale)
        {
            return Problem.NotFound($"Event {eventId} has no on-sale: its tiers sell without a queue.");
        }

        return ticket is not null
            ? TypedResults.Ok(QueueTicketResponse.From(ticket))
            : Problem.NotFound($"Event {eventId} has no on-sale any more: its tiers sell without a queue.");
    }

    /// <summary>Get (or wait for) one's place in the waiting room</summary>
    /// <remarks>
    /// The caller's place. With <c>waitSeconds</c> (1 to 20) a waiting buyer is
    /// answered as soon as they are admitted (or the on-sale is removed), and
    /// otherwise after that many seconds, with the position and estimate as
    /// they then are; a buyer who no longer waits is answered at once. A page
    /// waits with one request at a time.
    /// </remarks>
    public static async Task<Results<Ok<QueueTicketResponse>, ProblemHttpResult>> GetQueueTicket(
        Guid eventId, int? waitSeconds, ClaimsPrincipal user, IGrainFactory grains, QueueWatch watch, OnSaleRulesCache rules)
    {
        if (waitSeconds is < 1 or > MaxWaitSeconds)
        {
            return Problem.Validation("waitSeconds", $"waitSeconds must be 1 to {MaxWaitSeconds}.");
        }

        var userId = user.UserId();
        var (hasOnSale, ticket) = await rules.AskAsync(eventId, async onSale => waitSeconds is { } seconds
            ? await watch.WaitAsync(onSale, userId, TimeSpan.FromSeconds(seconds))
            : (await grains.ShardOf(onSale, userId).Look(onSale, userId))?.Ticket);
        if (!hasOnSale)
        {
            return Problem.NotFound($"Event {eventId} has no on-sale: its tiers sell without a queue.");
        }

        return ticket is not null
            ? TypedResults.Ok(QueueTicketResponse.From(ticket))
            : Problem.NotFound($"You have no place in the waiting room of event {eventId}, or its on-sale was removed.");
    }
}
