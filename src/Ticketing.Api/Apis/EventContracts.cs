using System.Text.RegularExpressions;
using Ticketing.Abstractions.Events;
using Ticketing.Abstractions.Tiers;
using Ticketing.Api.Limits;

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

    public static bool IsOrganizationId(string value) => value.Length > 0 && Text.IsClean(value, 200);

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (OrganizationId is not null && !IsOrganizationId(OrganizationId))
        {
            errors["organizationId"] = [OrganizationIdRule];
        }

        if (!Text.IsCleanText(Title, 200))
        {
            errors["title"] = ["title is required, at most 200 characters, without control characters."];
        }

        if (StartsAt is null)
        {
            errors["startsAt"] = ["startsAt is required, as an ISO 8601 time with offset."];
        }

        if (Venue is not null && !Text.IsClean(Venue, 200))
        {
            errors["venue"] = ["venue is at most 200 characters, without control characters."];
        }

        return errors;
    }
}

internal sealed partial record CreateTierRequest(string? Name, long? PriceCents, string? Currency, int? Capacity, int? MaxPerOrder)
{
    public const int DefaultMaxPerOrder = 10;

    /// <summary>A ticket's price is at most this many minor units (999,999.99 in a two-decimal currency).</summary>
    public const long MaxPriceCents = 99_999_999;

    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (!Text.IsCleanText(Name, 100))
        {
            errors["name"] = ["name is required, at most 100 characters, without control characters."];
        }

        if (PriceCents is null or < 0 or > MaxPriceCents)
        {
            errors["priceCents"] = [$"priceCents is required: a whole number of minor units, from 0 to {MaxPriceCents}."];
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
