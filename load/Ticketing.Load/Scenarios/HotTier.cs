using System.Text.Json;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// Holds on one tier as fast as the buyers can send them. Each step is a
/// buyer holding again: their new hold replaces their last one, so every
/// request is a durable write (the old hold released, the new one inserted).
/// The virtual users act as many buyers in turn (<see cref="Identities{T}"/>),
/// each holding within the silo's limit per buyer. Requests go over kept-alive
/// <see cref="LeanConnection"/>s, each buyer's prepared once, so the generator
/// leaves the cores to the silo it measures.
/// </summary>
public static class HotTier
{
    public static async Task<RunResult> RunAsync(TicketingApi api, LoadShape shape, CpuAccount? cpu)
    {
        // As large as a tier gets: every buyer of the run keeps a live hold, and the tier never sells out.
        var tierId = await api.CreateTierAsync("Hot tier", capacity: 1_000_000, maxPerOrder: 2);
        var buyers = new Identities<byte[]>(SiloLimits.Rest((SiloLimits.Holds, 1)), buyer =>
            LeanConnection.Request(HttpMethod.Post, api.Target, "/api/holds", api.Token($"hot-buyer-{buyer}", "buyer"),
                JsonSerializer.SerializeToUtf8Bytes(new { tierId, quantity = 1 + (buyer % 2) })));
        using var silo = new LeanPool(api.Target);
        var result = await LoadRun.RunAsync("hot-tier: durable holds over HTTP", shape, (_, cancellationToken) => buyers.RunAsync(async hold =>
        {
            var (status, failure) = await silo.SendAsync(hold, keepBody: false, cancellationToken);
            return status == 201 ? StepOutcome.Success : StepOutcome.Failed(TicketingApi.Cause((System.Net.HttpStatusCode)status, failure));
        }), cpu);
        return result with { Identities = buyers.Count };
    }
}
