using System.Text.Json;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// Holds on one tier as fast as the buyers can send them. Each buyer cycles:
/// its next hold replaces its last one, so the tier never sells out and every
/// request is a durable write (the old hold released, the new one inserted).
/// Each buyer sends over its own <see cref="LeanConnection"/>, its request
/// prepared once, so the generator leaves the cores to the silo it measures.
/// </summary>
public static class HotTier
{
    public static async Task<RunResult> RunAsync(TicketingApi api, LoadShape shape, Func<TimeSpan>? siloCpu)
    {
        var tierId = await api.CreateTierAsync("Hot tier", capacity: shape.Users * 2 + 10, maxPerOrder: 2);
        var requests = Enumerable.Range(0, shape.Users)
            .Select(user => LeanConnection.Request(HttpMethod.Post, api.Target, "/api/holds", api.Token($"hot-buyer-{user}", "buyer"),
                JsonSerializer.SerializeToUtf8Bytes(new { tierId, quantity = 1 + (user % 2) })))
            .ToArray();
        var connections = new LeanConnection?[shape.Users];
        try
        {
            return await LoadRun.RunAsync("hot-tier: durable holds over HTTP", shape, async (user, cancellationToken) =>
            {
                try
                {
                    var connection = connections[user] ??= await LeanConnection.OpenAsync(api.Target, cancellationToken);
                    var (status, failure) = await connection.SendAsync(requests[user], cancellationToken);
                    return status == 201 ? StepOutcome.Success : StepOutcome.Failed(TicketingApi.Cause((System.Net.HttpStatusCode)status, failure));
                }
                catch (Exception broken) when (broken is IOException or System.Net.Sockets.SocketException)
                {
                    // A connection cut mid-answer cannot be reused: the next request opens another.
                    connections[user]?.Dispose();
                    connections[user] = null;
                    return StepOutcome.Failed("connection: " + broken.Message);
                }
            }, siloCpu);
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection?.Dispose();
            }
        }
    }
}
