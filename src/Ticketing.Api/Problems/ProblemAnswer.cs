namespace Ticketing.Api.Problems;

/// <summary>
/// A problem a route answers beyond those its metadata implies (a token's 401
/// and 403, an id's 404, a body's 413 and 422): the API reference lists it
/// with <see cref="When"/> as its description.
/// </summary>
internal sealed record ProblemAnswer(int Status, string When);

internal static class ProblemAnswers
{
    /// <summary>A tier grain's write failed (<see cref="Ticketing.Abstractions.Tiers.TierUnavailableException"/>).</summary>
    public const string TierUnavailable = "`tier-unavailable`: the tier could not save the change and kept nothing; retry after Retry-After seconds.";

    public static TBuilder MayAnswer<TBuilder>(this TBuilder builder, int status, string when)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProblemAnswer(status, when));
}
