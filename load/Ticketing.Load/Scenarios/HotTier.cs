using System.Net;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// Holds on one tier as fast as the buyers can send them. Each buyer cycles:
/// its next hold replaces its last one, so the tier never sells out and every
/// request is a durable write (the old hold released, the new one inserted).
/// </summary>
public static class HotTier
{
    public static async Task<RunResult> RunAsync(TicketingApi api, LoadShape shape, Func<TimeSpan>? siloCpu)
    {
        var tierId = await api.CreateTierAsync("Hot tier", capacity: shape.Users * 2 + 10, maxPerOrder: 2);
        return await LoadRun.RunAsync("hot-tier: durable holds over HTTP", shape, async (user, cancellationToken) =>
        {
            var (status, failure) = await api.SendLeanAsync(HttpMethod.Post, "/api/holds", $"hot-buyer-{user}", "buyer",
                new { tierId, quantity = 1 + (user % 2) }, cancellationToken);
            return status == HttpStatusCode.Created ? StepOutcome.Success : StepOutcome.Failed(failure ?? ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }, siloCpu);
    }
}
