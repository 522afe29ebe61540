using Npgsql;

namespace Ticketing.Persistence.Idempotency;

/// <summary>A remembered response to replay for a repeated request.</summary>
public sealed record StoredResponse(int StatusCode, string? ContentType, string? Location, byte[] Body);

/// <summary>What a request with an Idempotency-Key finds.</summary>
public abstract record IdempotencyClaim
{
    /// <summary>First use of the key: go ahead, then <see cref="IdempotencyStore.CompleteAsync"/>.</summary>
    public sealed record Claimed : IdempotencyClaim;

    /// <summary>The key answered this same request before.</summary>
    public sealed record Replay(StoredResponse Response) : IdempotencyClaim;

    /// <summary>The key was used for a different request.</summary>
    public sealed record Mismatch : IdempotencyClaim;

    /// <summary>The first request with this key is still running.</summary>
    public sealed record InProgress : IdempotencyClaim;
}

public sealed class IdempotencyStore(NpgsqlDataSource database)
{
    /// <summary>How long a key answers its first response again; past it the key is free, and purged.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(24);

    // A claim whose request never finished (a crash) is given up after this long.
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    public async Task<IdempotencyClaim> ClaimAsync(string userId, string key, byte[] requestHash, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            WITH claimed AS (
                INSERT INTO ticketing.idempotency_keys (user_id, key, request_hash)
                VALUES (@user_id, @key, @hash)
                ON CONFLICT (user_id, key) DO UPDATE
                    SET request_hash = excluded.request_hash, created_at = now(),
                        status_code = NULL, content_type = NULL, location = NULL, body = NULL, completed_at = NULL
                    -- take over only a claim abandoned by a request that never finished, or a key past its time
                    WHERE (idempotency_keys.completed_at IS NULL AND idempotency_keys.created_at < now() - @abandoned_after)
                       OR idempotency_keys.created_at < now() - @kept_for
                RETURNING true AS claimed
            )
            SELECT true, NULL::bytea, NULL::integer, NULL::text, NULL::text, NULL::bytea FROM claimed
            UNION ALL
            SELECT false, request_hash, status_code, content_type, location, body
            FROM ticketing.idempotency_keys
            WHERE user_id = @user_id AND key = @key AND NOT EXISTS (SELECT 1 FROM claimed)
            """);
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("hash", requestHash);
        command.Parameters.AddWithValue("abandoned_after", AbandonedAfter);
        command.Parameters.AddWithValue("kept_for", KeptFor);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.GetBoolean(0))
        {
            return new IdempotencyClaim.Claimed();
        }

        if (!reader.GetFieldValue<byte[]>(1).AsSpan().SequenceEqual(requestHash))
        {
            return new IdempotencyClaim.Mismatch();
        }

        return reader.IsDBNull(2)
            ? new IdempotencyClaim.InProgress()
            : new IdempotencyClaim.Replay(new StoredResponse(
                reader.GetInt32(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetFieldValue<byte[]>(5)));
    }

    public async Task CompleteAsync(string userId, string key, StoredResponse response, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            """
            UPDATE ticketing.idempotency_keys
            SET status_code = @status, content_type = @content_type, location = @location, body = @body, completed_at = now()
            WHERE user_id = @user_id AND key = @key
            """);
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("status", response.StatusCode);
        command.Parameters.AddWithValue("content_type", (object?)response.ContentType ?? DBNull.Value);
        command.Parameters.AddWithValue("location", (object?)response.Location ?? DBNull.Value);
        command.Parameters.AddWithValue("body", response.Body);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the keys past <see cref="KeptFor"/> (their stored answers hold client secrets); answers how many.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("DELETE FROM ticketing.idempotency_keys WHERE created_at < now() - @kept_for");
        command.Parameters.AddWithValue("kept_for", KeptFor);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Forgets a claim whose request failed, so that a retry runs it again.</summary>
    public async Task ForgetAsync(string userId, string key, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            "DELETE FROM ticketing.idempotency_keys WHERE user_id = @user_id AND key = @key AND completed_at IS NULL");
        command.Parameters.AddWithValue("user_id", userId);
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
