using Npgsql;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Tiers;
using Ticketing.Persistence.Tiers;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// A new database's first on-sale: a tier's statements were prepared and
/// planned once for any values (a generic plan, as the service's warm
/// connections have them) while its holds were few, and PostgreSQL keeps that
/// plan until it analyzes the table again (autovacuum looks once a minute).
/// Planned for a table of one page, ending holds read every hold (measured:
/// 18.6 ms a write of about 50 holds with 100,000 rows, against 1.1 ms by key,
/// and the hot tier fell from about 9,000 to 1,255 holds a second). Bounded by
/// the pages the statement reads, not by time. The service's connections
/// are planned never to read a whole table where an index serves.
/// </summary>
public sealed class FirstRushPlanTests : StatementPagesTests
{
    private const int ArrivedSince = 20_000;

    /// <summary>By key: about 20 pages; reading every hold, over 200.</summary>
    private const long MaxPagesPerStatement = 100;

    private static readonly Guid EventId = Guid.NewGuid();
    private static readonly Guid TierId = Guid.NewGuid();

    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            -- no analyze during the rush
            ALTER TABLE ticketing.ticket_holds SET (autovacuum_enabled = false);
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES ('{EventId}', 'org', 'First', now() + interval '1 day', 'org');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity, reserved_quantity)
                VALUES ('{TierId}', '{EventId}', 'GA', 100000, 'eur', 100000, 1);
            INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
                VALUES (gen_random_uuid(), '{TierId}', 'first-buyer', 1, now() + interval '15 minutes');
            ANALYZE ticketing.ticket_holds;
            """);
    }

    [Fact]
    public async Task EndingAHold_AfterTheTableGrew_GoesByKey()
    {
        await using var oneConnection = OneConnection();
        var repository = new TierRepository(oneConnection);
        var state = (await repository.LoadAsync(TierId, CancellationToken.None))!;
        var first = state.ActiveHolds.Single();
        var version = await repository.ApplyAsync(
            state.Tier with { Reserved = 0 },
            state.Version,
            [new HoldEnded(first.Id, HoldStatus.Released, DateTimeOffset.UtcNow, first.ExpiresAt, null)],
            CancellationToken.None);

        await Grow();
        var hold = (Guid)(await Database.ScalarAsync("SELECT id FROM ticketing.ticket_holds WHERE user_id = @buyer", ("buyer", $"buyer-{ArrivedSince / 2}")))!;
        await Database.ForgetStatementsAsync();

        await repository.ApplyAsync(
            state.Tier with { Reserved = ArrivedSince - 1 },
            version,
            [new HoldEnded(hold, HoldStatus.Released, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(15), null)],
            CancellationToken.None);

        Assert.Equal("released", await Database.ScalarAsync($"SELECT status FROM ticketing.ticket_holds WHERE id = '{hold}'"));
        Assert.InRange(await Database.PagesPerCallAsync("%UPDATE ticketing.ticket_holds h%"), 1, MaxPagesPerStatement);
    }

    [Fact]
    public async Task ReadingAHold_AfterTheTableGrew_GoesByKey()
    {
        await using var oneConnection = OneConnection();
        await using var holds = new HoldStore(oneConnection);
        var first = (Guid)(await Database.ScalarAsync("SELECT id FROM ticketing.ticket_holds WHERE user_id = 'first-buyer'"))!;
        Assert.NotNull(await holds.FindAsync(first, DateTimeOffset.UtcNow, CancellationToken.None));

        await Grow();
        var hold = (Guid)(await Database.ScalarAsync("SELECT id FROM ticketing.ticket_holds WHERE user_id = @buyer", ("buyer", $"buyer-{ArrivedSince / 2}")))!;
        await Database.ForgetStatementsAsync();

        Assert.NotNull(await holds.FindAsync(hold, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.InRange(await Database.PagesPerCallAsync("%FROM ticketing.ticket_holds h%"), 1, MaxPagesPerStatement);
    }

    /// <summary>
    /// The service's connections (<see cref="Connections.Keyed"/>), one of them,
    /// so the measured statement runs the plan the first run made, and planned
    /// for any values from that first run.
    /// </summary>
    private NpgsqlDataSource OneConnection()
    {
        var connection = new NpgsqlConnectionStringBuilder(Connections.Keyed(Database.ConnectionString))
        {
            AutoPrepareMinUsages = 1,
            MaxPoolSize = 1,
        };
        connection.Options += " -c plan_cache_mode=force_generic_plan";
        return NpgsqlDataSource.Create(connection.ConnectionString);
    }

    private Task<object?> Grow() => Database.ScalarAsync($"""
        INSERT INTO ticketing.ticket_holds (id, tier_id, user_id, quantity, expires_at)
            SELECT gen_random_uuid(), '{TierId}', 'buyer-' || n, 1, now() + interval '15 minutes'
            FROM generate_series(1, {ArrivedSince}) AS n;
        UPDATE ticketing.ticket_tiers SET reserved_quantity = {ArrivedSince} WHERE id = '{TierId}';
        """);
}
