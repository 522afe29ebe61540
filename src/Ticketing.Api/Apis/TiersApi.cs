using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Abstractions.Tiers;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Grains;

namespace Ticketing.Api.Apis;

internal static class TiersApi
{
    public static void MapTiersApi(this IEndpointRouteBuilder app)
    {
        var tiers = app.MapGroup("/api/tiers").WithTags("Tiers");
        tiers.MapGet("/{tierId:guid}", GetTier).RequireRateLimiting(RateLimits.Anonymous);
        tiers.MapPatch("/{tierId:guid}", ChangeCapacity).RequireAuthorization(Roles.Organizer)
            .MayAnswer(StatusCodes.Status409Conflict, "`capacity-below-committed`: the capacity is below the tickets already held and issued.")
            .MayAnswer(StatusCodes.Status503ServiceUnavailable, ProblemAnswers.TierUnavailable);
    }

    /// <summary>Get a ticket tier</summary>
    public static async Task<Results<Ok<TierResponse>, ProblemHttpResult>> GetTier(Guid tierId, IGrainFactory grains) =>
        await grains.Reference<ITicketTierGrain>(tierId).GetTier() is { Outcome: TierOutcome.Done, Tier: { } tier }
            ? TypedResults.Ok(TierResponse.From(tier))
            : Problem.NotFound($"No tier {tierId}.");

    /// <summary>Change a tier's capacity</summary>
    public static async Task<Results<Ok<TierResponse>, ProblemHttpResult>> ChangeCapacity(
        Guid tierId, ChangeCapacityRequest request, ClaimsPrincipal user, EventAccess access, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        if (await access.OrganizerOfTierAsync(user, tierId, cancellationToken) is not { } owner)
        {
            return Problem.NotFound($"No tier {tierId}.");
        }

        return await grains.Reference<ITicketTierGrain>(tierId).ChangeCapacity(request.Capacity!.Value, owner.OrganizationId) switch
        {
            { Outcome: TierOutcome.Done, Tier: { } tier } => TypedResults.Ok(TierResponse.From(tier)),
            { Outcome: TierOutcome.BelowCommitted, Tier: { } tier } => Problem.Conflict(
                "capacity-below-committed",
                "Capacity below what is committed.",
                $"{tier.Reserved} held and {tier.Issued} issued: capacity cannot go below {tier.Reserved + tier.Issued}."),
            _ => Problem.NotFound($"No tier {tierId}."),
        };
    }
}
