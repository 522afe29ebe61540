using System.Text.Json;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// Holds on one tier as fast as the buyers can send them. Each buyer cycles:
/// its next hold replaces its last one, so the tier never sells out and every
/// request is a durable write (the old hold released, the new one inserted).
/// Requests go over kept-alive <see cref="LeanConnection"/>s, each buyer's
/// prepared once, so the generator leaves the cores to the silo it measures.
/// </summary>
public static class HotTier
{
    public static async Task<RunResult> RunAsync(TicketingApi api, LoadShape shape, CpuAccount? cpu)
    {
        var tierId = await api.CreateTierAsync("Hot tier", capacity: shape.Users * 2 + 10, maxPerOrder: 2);
        var requests = Enumerable.Range(0, shape.Users)
            .Select(user => LeanConnection.Request(HttpMethod.Post, api.Target, "/api/holds", api.Token($"hot-buyer-{user}", "buyer"),
                JsonSerializer.SerializeToUtf8Bytes(new { tierId, quantity = 1 + (user % 2) })))
            .ToArray();
        using var silo = new LeanPool(api.Target);
        return await LoadRun.RunAsync("hot-tier: durable holds over HTTP", shape, async (user, cancellationToken) =>
        {
            var (status, failure) = await silo.SendAsync(requests[user], keepBody: false, cancellationToken);
            return status == 201 ? StepOutcome.Success : StepOutcome.Failed(TicketingApi.Cause((System.Net.HttpStatusCode)status, failure));
        }, cpu);
    }
}
