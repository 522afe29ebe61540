using System.Text.RegularExpressions;
using Ticketing.Abstractions.Events;
using Ticketing.Abstractions.Tiers;

namespace Ticketing.Api.Apis;

internal sealed record EventResponse(Guid Id, string OrganizationId, string Title, DateTimeOffset StartsAt, string? Venue, TierResponse[] Tiers)
{
    public static EventResponse From(EventInfo info, IEnumerable<TierSnapshot> tiers) =>
        new(info.Id, info.OrganizationId, info.Title, info.StartsAt, info.Venue, tiers.Select(TierResponse.From).ToArray());
}

internal sealed record TierResponse(
    Guid Id, Guid EventId, string Name, long PriceCents, string Currency,
    int Capacity, int Reserved, int Issued, int Available, int MaxPerOrder)
{
    public static TierResponse From(TierSnapshot tier) => new(
        tier.Id, tier.EventId, tier.Name, tier.PriceCents, tier.Currency,
        tier.Capacity, tier.Reserved, tier.Issued, tier.Available, tier.MaxPerOrder);
}

internal sealed record CreateEventRequest(string? Title, DateTimeOffset? StartsAt, string? Venue, string? OrganizationId)
{
    public const string OrganizationIdRule = "organizationId is 1 to 200 characters, without control characters.";

    public static bool IsOrganizationId(string value) => value.Length is > 0 and <= 200 && !value.Any(char.IsControl);

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (OrganizationId is not null && !IsOrganizationId(OrganizationId))
        {
            errors["organizationId"] = [OrganizationIdRule];
        }

        if (string.IsNullOrWhiteSpace(Title) || Title.Length > 200)
        {
            errors["title"] = ["title is required, at most 200 characters."];
        }

        if (StartsAt is null)
        {
            errors["startsAt"] = ["startsAt is required, as an ISO 8601 time with offset."];
        }

        if (Venue is { Length: > 200 })
        {
            errors["venue"] = ["venue is at most 200 characters."];
        }

        return errors;
    }
}

internal sealed partial record CreateTierRequest(string? Name, long? PriceCents, string? Currency, int? Capacity, int? MaxPerOrder)
{
    public const int DefaultMaxPerOrder = 10;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Name) || Name.Length > 100)
        {
            errors["name"] = ["name is required, at most 100 characters."];
        }

        if (PriceCents is null or < 0)
        {
            errors["priceCents"] = ["priceCents is required: a whole number of minor units, 0 or more."];
        }

        if (Currency is null || !IsoCurrency().IsMatch(Currency))
        {
            errors["currency"] = ["currency is required: a lowercase ISO 4217 code such as \"eur\"."];
        }

        if (Capacity is null or < 0 or > 1_000_000)
        {
            errors["capacity"] = ["capacity is required, from 0 to 1000000."];
        }

        if (MaxPerOrder is < 1 or > 100)
        {
            errors["maxPerOrder"] = ["maxPerOrder is from 1 to 100."];
        }

        return errors;
    }

    [GeneratedRegex("^[a-z]{3}$")]
    private static partial Regex IsoCurrency();
}

internal sealed record ChangeCapacityRequest(int? Capacity)
{
    public Dictionary<string, string[]> Validate() => Capacity is null or < 0 or > 1_000_000
        ? new() { ["capacity"] = ["capacity is required, from 0 to 1000000."] }
        : [];
}
