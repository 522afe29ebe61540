using System.Net;
using Npgsql;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// The on-sale: N buyers at once on a tier of capacity C, one ticket each.
/// Exactly C must win, and the API and the database must both say so.
/// </summary>
public static class OnsaleRace
{
    public sealed record Verdict(int Users, int Capacity, int Won, int SoldOut, int Other, int ApiReserved, long? DatabaseHolds, int? DatabaseReserved)
    {
        public bool Exact => Won == Capacity && SoldOut == Users - Capacity && Other == 0 && ApiReserved == Capacity
            && (DatabaseHolds is null || DatabaseHolds == Capacity) && (DatabaseReserved is null || DatabaseReserved == Capacity);

        public override string ToString() =>
            $"onsale-race: {Users} buyers, capacity {Capacity}: {Won} held, {SoldOut} sold-out, {Other} other; API reserved {ApiReserved}"
            + (DatabaseHolds is null ? "" : $", database active holds {DatabaseHolds}, reserved_quantity {DatabaseReserved}")
            + (Exact ? " — EXACT" : " — NOT EXACT");
    }

    public static async Task<(RunResult Run, Verdict Verdict)> RunAsync(TicketingApi api, int users, int capacity, string? connectionString)
    {
        var tierId = await api.CreateTierAsync("On-sale race", capacity);
        var statuses = new HttpStatusCode[users];
        var result = await LoadRun.RunOnceEachAsync("onsale-race: one hold each, all at once", users, async (user, cancellationToken) =>
        {
            var (status, body) = await api.SendAsync(HttpMethod.Post, "/api/holds", $"racer-{user}-{tierId:N}", "buyer", new { tierId, quantity = 1 }, cancellationToken);
            statuses[user] = status;
            return status == HttpStatusCode.Created ? StepOutcome.Success : StepOutcome.Failed(TicketingApi.Cause(status, body));
        });

        var tier = await api.GetTierAsync(tierId);
        long? holds = null;
        int? reserved = null;
        if (connectionString is not null)
        {
            await using var database = NpgsqlDataSource.Create(connectionString);
            await using var command = database.CreateCommand(
                """
                SELECT (SELECT count(*) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'),
                       (SELECT reserved_quantity FROM ticketing.ticket_tiers WHERE id = @id)
                """);
            command.Parameters.AddWithValue("id", tierId);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            holds = reader.GetInt64(0);
            reserved = reader.GetInt32(1);
        }

        var verdict = new Verdict(
            users, capacity,
            statuses.Count(s => s == HttpStatusCode.Created),
            statuses.Count(s => s == HttpStatusCode.Conflict),
            statuses.Count(s => s is not HttpStatusCode.Created and not HttpStatusCode.Conflict),
            tier.GetProperty("reserved").GetInt32(), holds, reserved);
        return (result, verdict);
    }
}
