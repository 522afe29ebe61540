using Npgsql;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// The design this product replaces, on the same PostgreSQL: each hold is its
/// own transaction that locks the tier row with a conditional UPDATE and
/// inserts the hold. Every connection queues on the one hot row.
/// </summary>
public static class Baseline
{
    public static async Task<RunResult> RunAsync(string connectionString, LoadShape shape, CpuAccount? cpu = null)
    {
        // Connections tuned as the silo's are (prepared statements, no reset on close): the ratio compares designs, not driver settings.
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = shape.Users + 5, MinPoolSize = 0, MaxAutoPrepare = 64, NoResetOnClose = true };
        await using var database = NpgsqlDataSource.Create(builder.ConnectionString);
        var tierId = Guid.NewGuid();
        await using (var setup = database.CreateCommand(
            """
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES (@event_id, 'load', 'Baseline (old design)', now() + interval '30 days', 'load');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity) VALUES (@tier_id, @event_id, 'Baseline', 2500, 'eur', 100000000);
            """))
        {
            setup.Parameters.AddWithValue("event_id", Guid.NewGuid());
            setup.Parameters.AddWithValue("tier_id", tierId);
            await setup.ExecuteNonQueryAsync();
        }

        return await LoadRun.RunAsync("baseline: row-locked UPDATE + INSERT per hold", shape, async (_, cancellationToken) =>
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var take = new NpgsqlCommand(
                """
                UPDATE ticketing.ticket_tiers SET reserved_quantity = reserved_quantity + 1
                WHERE id = @tier_id AND quantity - reserved_quantity - issued_quantity >= 1
                """,
                connection,
                transaction);
            take.Parameters.AddWithValue("tier_id", tierId);
            if (await take.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                await transaction.RollbackAsync(cancellationToken);
                return StepOutcome.Failed("sold-out");
            }

            await using var insert = new NpgsqlCommand(
                """
                INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
                VALUES (@id, @tier_id, @user_id, 1, now() + interval '15 minutes')
                """,
                connection,
                transaction);
            insert.Parameters.AddWithValue("id", Guid.NewGuid());
            insert.Parameters.AddWithValue("tier_id", tierId);
            insert.Parameters.AddWithValue("user_id", "baseline-" + Guid.NewGuid().ToString("N"));
            await insert.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return StepOutcome.Success;
        }, cpu);
    }

    /// <summary>
    /// Clears what the baseline left behind (thousands of dead versions of its
    /// hot row, its hold rows' index entries, dirty pages) so that the next
    /// run is measured on a tidy database rather than behind autovacuum.
    /// </summary>
    public static async Task TidyAsync(string connectionString)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        foreach (var statement in new[] { "VACUUM (ANALYZE) ticketing.ticket_tiers", "VACUUM (ANALYZE) ticketing.ticket_holds", "CHECKPOINT" })
        {
            await using var command = database.CreateCommand(statement);
            await command.ExecuteNonQueryAsync();
        }
    }
}
