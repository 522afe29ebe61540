namespace Ticketing.Abstractions.Events;

/// <summary>An event that tiers are sold for.</summary>
/// <param name="Id">The event id.</param>
/// <param name="Title">Display title.</param>
/// <param name="StartsAt">When doors open.</param>
/// <param name="Venue">Where, when known.</param>
/// <param name="OrganizationId">The organization its money and seats belong to; fixed once written.</param>
[GenerateSerializer, Immutable]
public sealed record EventInfo(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Title,
    [property: Id(2)] DateTimeOffset StartsAt,
    [property: Id(3)] string? Venue,
    [property: Id(4)] string OrganizationId);
