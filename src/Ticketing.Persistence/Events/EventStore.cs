using Npgsql;
using Ticketing.Abstractions.Events;

namespace Ticketing.Persistence.Events;

/// <summary>Events are plain records: written once by an organiser, read by everyone.</summary>
public sealed class EventStore(NpgsqlDataSource database)
{
    /// <summary>At most this many events in one listing.</summary>
    private const int ListLimit = 500;

    public async Task CreateAsync(EventInfo info, string organizerId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            INSERT INTO ticketing.events (id, organization_id, title, venue, starts_at, created_by)
            VALUES (@id, @organization_id, @title, @venue, @starts_at, @created_by)
            """);
        command.Parameters.AddWithValue("id", info.Id);
        command.Parameters.AddWithValue("organization_id", info.OrganizationId);
        command.Parameters.AddWithValue("title", info.Title);
        command.Parameters.AddWithValue("venue", (object?)info.Venue ?? DBNull.Value);
        command.Parameters.AddWithValue("starts_at", info.StartsAt);
        command.Parameters.AddWithValue("created_by", organizerId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<EventInfo?> FindAsync(Guid eventId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "SELECT id, title, starts_at, venue, organization_id FROM ticketing.events WHERE id = @id");
        command.Parameters.AddWithValue("id", eventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>Events from <paramref name="now"/> on, soonest first; only one organization's when it is named.</summary>
    public async Task<IReadOnlyList<EventInfo>> ListUpcomingAsync(DateTimeOffset now, string? organizationId, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"""
            SELECT id, title, starts_at, venue, organization_id
            FROM ticketing.events
            WHERE starts_at >= @now
              AND (@organization_id::text IS NULL OR organization_id = @organization_id)
            ORDER BY starts_at, id
            LIMIT {ListLimit}
            """);
        command.Parameters.AddWithValue("now", now);
        command.Parameters.Add(new NpgsqlParameter("organization_id", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)organizationId ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<EventInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(Read(reader));
        }

        return events;
    }

    private static EventInfo Read(NpgsqlDataReader reader) => new(
        reader.GetGuid(0),
        reader.GetString(1),
        reader.GetFieldValue<DateTimeOffset>(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetString(4));
}
