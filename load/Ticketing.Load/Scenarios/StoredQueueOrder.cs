using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// An on-sale's admission order replayed from PostgreSQL, as an audit would:
/// places taken before the opening by the rank drawn from the stored seed
/// (the first 8 bytes of HMAC-SHA256 keyed with the seed over the user id,
/// a signed big-endian integer), then arrival; later places by arrival.
/// Exact where the admission times are not: a step admits many buyers at the
/// same instant.
/// </summary>
public sealed class StoredQueueOrder
{
    private readonly Dictionary<string, (long Place, bool Early)> places;

    private StoredQueueOrder(Dictionary<string, (long Place, bool Early)> places) => this.places = places;

    /// <summary>Places in the order, from 0.</summary>
    public int Count => places.Count;

    /// <summary>The buyer's place in the admission order; null when it has none.</summary>
    public long? PlaceOf(string userId) => places.TryGetValue(userId, out var place) ? place.Place : null;

    /// <summary>Whether the room took the buyer's place as early (shuffled); null when it has none.</summary>
    public bool? IsEarly(string userId) => places.TryGetValue(userId, out var place) ? place.Early : null;

    /// <summary>The order of the event's on-sale; null when it has not opened (no seed yet) or has no queue tables.</summary>
    public static async Task<StoredQueueOrder?> ReadAsync(string connectionString, Guid eventId, CancellationToken cancellationToken = default)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        await using var command = database.CreateCommand(
            """
            SELECT e.user_id, e.arrival, e.early, o.seed
            FROM ticketing.onsales s
            JOIN ticketing.queue_openings o ON o.onsale_id = s.id
            JOIN ticketing.queue_entries e ON e.onsale_id = s.id
            WHERE s.event_id = @event_id
            """);
        command.CommandTimeout = 300;
        command.Parameters.AddWithValue("event_id", eventId);
        var keyed = new List<(string UserId, bool Late, long Rank, long Arrival)>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (userId, arrival, early) = (reader.GetString(0), reader.GetInt64(1), reader.GetBoolean(2));
                keyed.Add(early ? (userId, false, Rank(reader.GetFieldValue<byte[]>(3), userId), arrival) : (userId, true, arrival, arrival));
            }
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }

        if (keyed.Count == 0)
        {
            return null;
        }

        var ordered = keyed.OrderBy(p => p.Late).ThenBy(p => p.Rank).ThenBy(p => p.Arrival).ToArray();
        return new StoredQueueOrder(ordered.Select((p, i) => (p.UserId, Place: (long)i, Early: !p.Late)).ToDictionary(p => p.UserId, p => (p.Place, p.Early), StringComparer.Ordinal));
    }

    public static long Rank(byte[] seed, string userId)
    {
        var mac = HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes(userId));
        return BinaryPrimitives.ReadInt64BigEndian(mac);
    }
}
