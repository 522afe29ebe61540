using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Ticketing.Abstractions.Tiers;
using Ticketing.Api.Auth;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Grains;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Api.Apis;

internal static class HoldsApi
{
    public static void MapHoldsApi(this IEndpointRouteBuilder app)
    {
        var holds = app.MapGroup("/api/holds").WithTags("Holds").RequireAuthorization(Roles.Buyer).RequireRateLimiting(RateLimits.Holds);
        holds.MapPost("/", PlaceHold)
            .MayAnswer(StatusCodes.Status403Forbidden, "`admission-required`: the event sells through its waiting room, and the `Admission-Pass` header holds no live pass of the caller's own.")
            .MayAnswer(StatusCodes.Status404NotFound, "`not-found`: no tier `tierId`.")
            .MayAnswer(StatusCodes.Status409Conflict, "`sold-out`: fewer tickets are available than asked for; `buyer-limit`: the event's on-sale lets one buyer have at most `maxPerBuyer` of its tickets at once, and this hold would go past it.")
            .MayAnswer(StatusCodes.Status422UnprocessableEntity, "`validation`: the quantity is over the tier's limit per order.")
            .MayAnswer(StatusCodes.Status503ServiceUnavailable, ProblemAnswers.TierUnavailable);
        holds.MapGet("/{holdId:guid}", GetHold);
        holds.MapDelete("/{holdId:guid}", ReleaseHold)
            .MayAnswer(StatusCodes.Status409Conflict, "`hold-consumed` or `hold-in-order`: the hold was turned into tickets, or an unpaid order pays with it.")
            .MayAnswer(StatusCodes.Status503ServiceUnavailable, ProblemAnswers.TierUnavailable);
    }

    /// <summary>Hold tickets</summary>
    /// <remarks>
    /// Sets tickets of a tier aside for the caller until the hold expires or
    /// an order uses it.
    /// </remarks>
    public static async Task<Results<Created<HoldResponse>, ProblemHttpResult>> PlaceHold(
        PlaceHoldRequest request, ClaimsPrincipal user, IGrainFactory grains,
        [FromHeader(Name = "Admission-Pass")] string? admissionPass)
    {
        if (request.Validate() is { Count: > 0 } errors)
        {
            return Problem.Validation(errors);
        }

        var result = await grains.Reference<ITicketTierGrain>(request.TierId!.Value).Reserve(user.UserId(), request.Quantity!.Value, admissionPass);
        return result switch
        {
            { Outcome: TierOutcome.Done, Hold: { } hold } => TypedResults.Created($"/api/holds/{hold.Id}", HoldResponse.From(hold)),
            { Outcome: TierOutcome.AdmissionRequired } => Problem.Of(StatusCodes.Status403Forbidden, "admission-required", "Admission pass required.", result.Detail!),
            { Outcome: TierOutcome.SoldOut } => Problem.Conflict("sold-out", "Sold out.", result.Detail ?? "Not enough tickets are available."),
            { Outcome: TierOutcome.BuyerLimit } => Problem.Conflict("buyer-limit", "Buyer limit reached.", result.Detail!),
            { Outcome: TierOutcome.Invalid } => Problem.Validation("quantity", result.Detail ?? "quantity is out of range."),
            _ => Problem.NotFound($"No tier {request.TierId}."),
        };
    }

    /// <summary>Get a hold</summary>
    public static async Task<Results<Ok<HoldResponse>, ProblemHttpResult>> GetHold(
        Guid holdId, ClaimsPrincipal user, HoldStore holds, TimeProvider clock, CancellationToken cancellationToken) =>
        await holds.FindAsync(holdId, clock.GetUtcNow(), cancellationToken) is { } hold && hold.UserId == user.UserId()
            ? TypedResults.Ok(HoldResponse.From(hold))
            : Problem.NotFound($"No hold {holdId}.");

    /// <summary>Release a hold</summary>
    /// <remarks>Releasing a hold that already ended (released, expired) changes nothing and still answers 204.</remarks>
    public static async Task<Results<NoContent, ProblemHttpResult>> ReleaseHold(
        Guid holdId, ClaimsPrincipal user, HoldStore holds, IGrainFactory grains, CancellationToken cancellationToken)
    {
        // Only to address the hold's tier, which decides.
        if (await holds.TierOfAsync(holdId, cancellationToken) is not { } tierId)
        {
            return Problem.NotFound($"No hold {holdId}.");
        }

        return await grains.Reference<ITicketTierGrain>(tierId).Release(holdId, user.UserId()) switch
        {
            TierOutcome.Done => TypedResults.NoContent(),
            TierOutcome.HoldConsumed => Problem.Conflict("hold-consumed", "Hold already used.", "This hold was turned into an order's tickets; cancel or refund the order instead."),
            TierOutcome.HoldInOrder => Problem.Conflict("hold-in-order", "Hold in an order.", "An unpaid order is paying with this hold; cancel the order first."),
            _ => Problem.NotFound($"No hold {holdId}."),
        };
    }
}

internal sealed record HoldResponse(Guid Id, Guid TierId, int Quantity, DateTimeOffset ExpiresAt, string Status)
{
    public static HoldResponse From(HoldInfo hold) =>
        new(hold.Id, hold.TierId, hold.Quantity, hold.ExpiresAt, hold.Status.ToString().ToLowerInvariant());
}

internal sealed record PlaceHoldRequest(Guid? TierId, int? Quantity)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (TierId is null || TierId == Guid.Empty)
        {
            errors["tierId"] = ["tierId is required."];
        }

        if (Quantity is null or < 1)
        {
            errors["quantity"] = ["quantity is required, at least 1."];
        }

        return errors;
    }
}
