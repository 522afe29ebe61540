using System.Security.Claims;

namespace Ticketing.Api.Auth;

/// <summary>What a token says about whom its caller acts for.</summary>
internal static class CallerClaims
{
    /// <summary>The organizations an organizer or scanner acts for (claim <c>org</c>, a string or an array).</summary>
    public const string Organization = "org";

    /// <summary>The events a scanner is narrowed to (claim <c>event</c>, a string or an array), when present.</summary>
    public const string Event = "event";

    /// <summary>The caller's user id (the token's <c>sub</c>).</summary>
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue("sub") ?? throw new InvalidOperationException("An authenticated caller without 'sub'.");

    /// <summary>The token's organizations, or without any, the personal organization named by its own user id.</summary>
    public static IReadOnlyList<string> Organizations(this ClaimsPrincipal user)
    {
        var named = user.FindAll(Organization).Select(claim => claim.Value).Where(value => value.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        return named.Length > 0 ? named : [user.UserId()];
    }

    public static bool ActsFor(this ClaimsPrincipal user, string organizationId) =>
        user.Organizations().Contains(organizationId, StringComparer.Ordinal);

    /// <summary>Whether the <c>event</c> claim, when the token has one, names <paramref name="eventId"/>.</summary>
    public static bool MayWorkEvent(this ClaimsPrincipal user, Guid eventId)
    {
        var named = user.FindAll(Event).ToArray();
        return named.Length == 0 || named.Any(claim => Guid.TryParse(claim.Value, out var id) && id == eventId);
    }
}
