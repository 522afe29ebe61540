using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Abstractions.Events;
using Ticketing.Abstractions.Tiers;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Persistence.Events;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Api.Apis;

internal static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Events");
        events.MapPost("/", CreateEvent).RequireAuthorization(Roles.Organizer);
        events.MapGet("/", ListUpcomingEvents).RequireRateLimiting(RateLimits.Anonymous);
        events.MapGet("/{eventId:guid}", GetEvent).RequireRateLimiting(RateLimits.Anonymous);
        events.MapPost("/{eventId:guid}/tiers", CreateTier).RequireAuthorization(Roles.Organizer);
    }

    /// <summary>Create an event</summary>
    /// <remarks>
    /// The event belongs to <c>organizationId</c>, which may be left out when
    /// the token acts for one organization only.
    /// </remarks>
    public static async Task<Results<Created<EventResponse>, ProblemHttpResult>> CreateEvent(
        CreateEventRequest request, ClaimsPrincipal user, EventStore store, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        var organizations = user.Organizations();
        string organizationId;
        if (request.OrganizationId is { } named)
        {
            if (!organizations.Contains(named, StringComparer.Ordinal))
            {
                return Problem.Forbidden($"You do not act for organization '{named}'.");
            }

            organizationId = named;
        }
        else if (organizations.Count == 1)
        {
            organizationId = organizations[0];
        }
        else
        {
            return Problem.Validation("organizationId", $"organizationId is required: you act for several organizations ({string.Join(", ", organizations)}).");
        }

        var info = new EventInfo(Guid.CreateVersion7(), request.Title!.Trim(), request.StartsAt!.Value.ToUniversalTime(), request.Venue?.Trim(), organizationId);
        await store.CreateAsync(info, user.UserId(), cancellationToken);
        return TypedResults.Created($"/api/events/{info.Id}", EventResponse.From(info, []));
    }

    /// <summary>List upcoming events</summary>
    /// <remarks>Upcoming events, soonest first; with <c>organizationId</c>, only that organization's.</remarks>
    public static async Task<Results<Ok<EventResponse[]>, ProblemHttpResult>> ListUpcomingEvents(
        string? organizationId, EventStore events, TierStore tiers, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (organizationId is not null && !CreateEventRequest.IsOrganizationId(organizationId))
        {
            return Problem.Validation("organizationId", CreateEventRequest.OrganizationIdRule);
        }

        var upcoming = await events.ListUpcomingAsync(clock.GetUtcNow(), organizationId, cancellationToken);
        var tiersByEvent = (await tiers.ListForEventsAsync(upcoming.Select(e => e.Id).ToArray(), cancellationToken))
            .ToLookup(tier => tier.EventId);
        return TypedResults.Ok(upcoming.Select(e => EventResponse.From(e, tiersByEvent[e.Id])).ToArray());
    }

    /// <summary>Get an event</summary>
    public static async Task<Results<Ok<EventResponse>, ProblemHttpResult>> GetEvent(
        Guid eventId, EventStore events, TierStore tiers, CancellationToken cancellationToken)
    {
        if (await events.FindAsync(eventId, cancellationToken) is not { } info)
        {
            return Problem.NotFound($"No event {eventId}.");
        }

        var eventTiers = await tiers.ListForEventsAsync([eventId], cancellationToken);
        return TypedResults.Ok(EventResponse.From(info, eventTiers));
    }

    /// <summary>Add a ticket tier to an event</summary>
    public static async Task<Results<Created<TierResponse>, ProblemHttpResult>> CreateTier(
        Guid eventId, CreateTierRequest request, ClaimsPrincipal user, EventAccess access, TierStore tiers, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        if (await access.OrganizerOfEventAsync(user, eventId, cancellationToken) is not { } organizationId)
        {
            return Problem.NotFound($"No event {eventId}.");
        }

        var tier = new TierSnapshot(
            Guid.CreateVersion7(), eventId, request.Name!.Trim(), request.PriceCents!.Value, request.Currency!,
            request.Capacity!.Value, Reserved: 0, Issued: 0, request.MaxPerOrder ?? CreateTierRequest.DefaultMaxPerOrder);
        if (!await tiers.CreateAsync(tier, organizationId, cancellationToken))
        {
            return Problem.NotFound($"No event {eventId}.");
        }

        return TypedResults.Created($"/api/tiers/{tier.Id}", TierResponse.From(tier));
    }
}
