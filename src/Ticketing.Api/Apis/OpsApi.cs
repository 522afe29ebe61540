using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.Operations;
using Ticketing.Api.Auth;
using Ticketing.Api.Hosting;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Grains;
using Ticketing.Persistence.Operations;

namespace Ticketing.Api.Apis;

internal static class OpsApi
{
    public static void MapOpsApi(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup("/api/ops").WithTags("Operations");
        ops.MapGet("/readiness", GetReadiness).RequireAuthorization(Roles.OrganizerOrOperator)
            .MayAnswer(StatusCodes.Status404NotFound, "`not-found`: no event `eventId` of the organizer's organizations.");
        ops.MapGet("/alerts", GetAlerts).RequireAuthorization(Roles.Operator);
        ops.MapPost("/reconciliation", RunReconciliation).RequireAuthorization(Roles.Operator);
        ops.MapGet("/reconciliation/latest", GetLatestReconciliation).RequireAuthorization(Roles.Operator)
            .MayAnswer(StatusCodes.Status404NotFound, "`not-found`: no reconciliation has run yet.");
        ops.MapPost("/buyers/{userId}/erase", EraseBuyer).RequireAuthorization(Roles.Operator);
        ops.MapGet("/links", GetLinks).RequireAuthorization(Roles.Operator);
    }

    /// <summary>Where the operator's tools are</summary>
    /// <remarks>The Orleans dashboard's path on this silo, and Grafana's address when one is configured (null otherwise).</remarks>
    public static Ok<OperationsLinksResponse> GetLinks(IOptions<OperationsLinks> links) =>
        TypedResults.Ok(new OperationsLinksResponse(OperationsLinks.Dashboard, links.Value.GrafanaUrl));

    /// <summary>Check events' readiness</summary>
    /// <remarks>
    /// An operator sees every event; an organizer only its organizations'
    /// events, and an event of another organization is not found.
    /// </remarks>
    public static async Task<Results<Ok<ReadinessResponse[]>, ProblemHttpResult>> GetReadiness(
        Guid? eventId, ClaimsPrincipal user, OperationsStore store, CancellationToken cancellationToken)
    {
        var organizations = user.IsInRole(Roles.Operator) ? null : user.Organizations();
        var events = await store.ReadinessAsync(eventId, organizations, cancellationToken);
        return eventId is not null && organizations is not null && events.Count == 0
            ? Problem.NotFound($"No event {eventId}.")
            : TypedResults.Ok(events.Select(ReadinessResponse.From).ToArray());
    }

    /// <summary>Evaluate the alerts</summary>
    public static async Task<Ok<IReadOnlyList<AlertState>>> GetAlerts(IGrainFactory grains) =>
        TypedResults.Ok(await grains.Reference<IAlertsGrain>(0).Evaluate());

    /// <summary>Run a reconciliation now</summary>
    public static async Task<ContentHttpResult> RunReconciliation(IGrainFactory grains) =>
        TypedResults.Text(await grains.Reference<IReconciliationGrain>(0).Run(), "application/json");

    /// <summary>Get the latest reconciliation</summary>
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetLatestReconciliation(OperationsStore store, CancellationToken cancellationToken) =>
        await store.LatestRunAsync(cancellationToken) is { } report
            ? TypedResults.Text(report, "application/json")
            : Problem.NotFound("`not-found`: no reconciliation has run yet.");

    /// <summary>Erase a buyer</summary>
    /// <remarks>A buyer's right to erasure: their orders keep the money and tickets, lose the person.</remarks>
    public static async Task<Results<Ok<ErasureResponse>, ProblemHttpResult>> EraseBuyer(
        string userId, ClaimsPrincipal user, OperationsStore store, CancellationToken cancellationToken) =>
        Text.IsCleanText(userId, 200)
            ? TypedResults.Ok(ErasureResponse.From(userId, await store.EraseBuyerAsync(userId, $"operator:{user.UserId()}", cancellationToken)))
            : Problem.Validation("userId", "userId is a user id: 1 to 200 characters, without control characters.");
}

internal sealed record OperationsLinksResponse(string Dashboard, string? Grafana);

internal sealed record ReadinessChecks(bool NoNegativeAvailability, bool NoGhostReservations, bool NoPaidWithoutTickets, bool HasTiers);

internal sealed record ReadinessTotals(int Capacity, int Sold, int Reserved, int Available);

internal sealed record ReadinessResponse(Guid EventId, string Title, DateTimeOffset StartsAt, string Status, ReadinessChecks Checks, ReadinessTotals Totals)
{
    public static ReadinessResponse From(EventReadiness e) => new(
        e.EventId, e.Title, e.StartsAt, e.Status,
        new ReadinessChecks(e.NegativeTiers == 0, e.GhostReserved == 0, e.PaidWithoutTickets == 0, e.Tiers > 0),
        new ReadinessTotals(e.Capacity, e.Sold, e.Reserved, e.Available));
}

internal sealed record ErasureResponse(
    string UserId, int OrdersAnonymized, int HoldsErased, int IdempotencyKeysDeleted, int WebhookEventsErased, int ScansErased, int AuditEntriesErased,
    int QueuePlacesErased)
{
    public static ErasureResponse From(string userId, Erasure erasure) =>
        new(userId, erasure.Orders, erasure.Holds, erasure.IdempotencyKeys, erasure.WebhookEvents, erasure.Scans, erasure.AuditEntries, erasure.QueuePlaces);
}
