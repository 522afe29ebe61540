using System.Security.Claims;
using Ticketing.Abstractions.Orders;
using Ticketing.Persistence.Events;

namespace Ticketing.Api.Auth;

/// <summary>
/// The one place that decides whether an organizer or a scanner may act on an
/// event: it resolves tier -> event -> organization (<see cref="EventOwners"/>)
/// and checks it against the organizations the caller's token acts for. Every
/// route that touches an organization's event asks here; an event of another
/// organization answers as if it did not exist.
/// </summary>
internal sealed class EventAccess(EventOwners owners)
{
    /// <summary>The event's organization when the caller organizes for it; null for an unknown event or another organization's.</summary>
    public async ValueTask<string?> OrganizerOfEventAsync(ClaimsPrincipal user, Guid eventId, CancellationToken cancellationToken) =>
        user.IsInRole(Roles.Organizer) && await owners.OfEventAsync(eventId, cancellationToken) is { } organizationId && user.ActsFor(organizationId)
            ? organizationId
            : null;

    /// <summary>The tier's event and organization when the caller organizes for it; null otherwise.</summary>
    public async ValueTask<EventOwner?> OrganizerOfTierAsync(ClaimsPrincipal user, Guid tierId, CancellationToken cancellationToken) =>
        user.IsInRole(Roles.Organizer) && await owners.OfTierAsync(tierId, cancellationToken) is { } owner && user.ActsFor(owner.OrganizationId)
            ? owner
            : null;

    /// <summary>The order when the caller bought it or organizes its event; null otherwise (its existence is not revealed).</summary>
    public async ValueTask<OrderSnapshot?> VisibleOrderAsync(ClaimsPrincipal user, OrderSnapshot? order, CancellationToken cancellationToken) =>
        order is not null && (order.UserId == user.UserId() || await OrganizerOfEventAsync(user, order.EventId, cancellationToken) is not null)
            ? order
            : null;

    /// <summary>Whether a scanner works the gates of this event: one of its organizations', and one its token names when it names any.</summary>
    public async ValueTask<bool> MayScanAsync(ClaimsPrincipal user, Guid eventId, CancellationToken cancellationToken) =>
        user.IsInRole(Roles.Scanner)
        && user.MayWorkEvent(eventId)
        && await owners.OfEventAsync(eventId, cancellationToken) is { } organizationId
        && user.ActsFor(organizationId);
}
