using System.Collections.Concurrent;
using Npgsql;

namespace Ticketing.Persistence.Events;

/// <summary>
/// Which organization owns an event, and which event a tier is of: the one
/// place every organizer and scanner check (and the grains that change money
/// or capacity) resolves tier -> event -> organization. Both links are fixed
/// when their row is written, so an answer found once is kept; what is not
/// found is asked again, since it may be created later.
/// </summary>
public sealed class EventOwners(NpgsqlDataSource database)
{
    /// <summary>Past this many entries a map starts over, so a crawl of many ids can't grow it without bound.</summary>
    private const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<Guid, string> eventOrganizations = new();
    private readonly ConcurrentDictionary<Guid, Guid> tierEvents = new();

    /// <summary>The organization of the event, or null when there is no such event.</summary>
    public async ValueTask<string?> OfEventAsync(Guid eventId, CancellationToken cancellationToken)
    {
        if (eventOrganizations.TryGetValue(eventId, out var known))
        {
            return known;
        }

        await using var command = database.CreateCommand("SELECT organization_id FROM ticketing.events WHERE id = @id");
        command.Parameters.AddWithValue("id", eventId);
        if (await command.ExecuteScalarAsync(cancellationToken) is not string organizationId)
        {
            return null;
        }

        Remember(eventOrganizations, eventId, organizationId);
        return organizationId;
    }

    /// <summary>The event of the tier and its organization, or null when there is no such tier.</summary>
    public async ValueTask<EventOwner?> OfTierAsync(Guid tierId, CancellationToken cancellationToken)
    {
        if (tierEvents.TryGetValue(tierId, out var eventId) && eventOrganizations.TryGetValue(eventId, out var known))
        {
            return new EventOwner(eventId, known);
        }

        await using var command = database.CreateCommand(
            """
            SELECT t.event_id, e.organization_id
            FROM ticketing.ticket_tiers t
            JOIN ticketing.events e ON e.id = t.event_id
            WHERE t.id = @id
            """);
        command.Parameters.AddWithValue("id", tierId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var owner = new EventOwner(reader.GetGuid(0), reader.GetString(1));
        Remember(tierEvents, tierId, owner.EventId);
        Remember(eventOrganizations, owner.EventId, owner.OrganizationId);
        return owner;
    }

    private static void Remember<TValue>(ConcurrentDictionary<Guid, TValue> map, Guid key, TValue value)
    {
        if (map.Count >= MaxEntries)
        {
            map.Clear();
        }

        map[key] = value;
    }
}

/// <summary>An event and the organization it belongs to.</summary>
public sealed record EventOwner(Guid EventId, string OrganizationId);
