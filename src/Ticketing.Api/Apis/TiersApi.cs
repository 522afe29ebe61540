using Microsoft.AspNetCore.Http.HttpResults;
using Ticketing.Api.Auth;
using Ticketing.Api.Problems;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Api.Apis;

internal static class TiersApi
{
    public static void MapTiersApi(this IEndpointRouteBuilder app)
    {
        var tiers = app.MapGroup("/api/tiers").WithTags("Tiers");
        tiers.MapGet("/{tierId:guid}", GetTier);
        tiers.MapPatch("/{tierId:guid}", ChangeCapacity).RequireAuthorization(Roles.Organizer);
    }

    public static async Task<Results<Ok<TierResponse>, ProblemHttpResult>> GetTier(
        Guid tierId, TierStore tiers, CancellationToken cancellationToken) =>
        await tiers.FindAsync(tierId, cancellationToken) is { } tier
            ? TypedResults.Ok(TierResponse.From(tier))
            : Problem.NotFound($"No tier {tierId}.");

    public static async Task<Results<Ok<TierResponse>, ProblemHttpResult>> ChangeCapacity(
        Guid tierId, ChangeCapacityRequest request, TierStore tiers, CancellationToken cancellationToken)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        return await tiers.ChangeCapacityAsync(tierId, request.Capacity!.Value, cancellationToken) switch
        {
            null => Problem.NotFound($"No tier {tierId}."),
            (var tier, Changed: true) => TypedResults.Ok(TierResponse.From(tier)),
            (var tier, Changed: false) => Problem.Conflict(
                "capacity-below-committed",
                "Capacity below what is committed.",
                $"{tier.Reserved} held and {tier.Issued} issued: capacity cannot go below {tier.Reserved + tier.Issued}."),
        };
    }
}
