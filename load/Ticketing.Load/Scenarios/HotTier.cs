using System.Collections.Concurrent;
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
    public static async Task<RunResult> RunAsync(TicketingApi api, LoadShape shape, Func<TimeSpan>? siloCpu)
    {
        var tierId = await api.CreateTierAsync("Hot tier", capacity: shape.Users * 2 + 10, maxPerOrder: 2);
        var requests = Enumerable.Range(0, shape.Users)
            .Select(user => LeanConnection.Request(HttpMethod.Post, api.Target, "/api/holds", api.Token($"hot-buyer-{user}", "buyer"),
                JsonSerializer.SerializeToUtf8Bytes(new { tierId, quantity = 1 + (user % 2) })))
            .ToArray();
        // Connections are pooled, not one per user index: in an open model (--rate)
        // the same user index may have two requests in flight.
        var idle = new ConcurrentBag<LeanConnection>();
        try
        {
            return await LoadRun.RunAsync("hot-tier: durable holds over HTTP", shape, async (user, cancellationToken) =>
            {
                var connection = idle.TryTake(out var open) ? open : await LeanConnection.OpenAsync(api.Target, cancellationToken);
                try
                {
                    var (status, failure) = await connection.SendAsync(requests[user], cancellationToken);
                    idle.Add(connection);
                    return status == 201 ? StepOutcome.Success : StepOutcome.Failed(TicketingApi.Cause((System.Net.HttpStatusCode)status, failure));
                }
                catch (Exception broken) when (broken is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Whatever broke mid-answer, the connection cannot be trusted again.
                    connection.Dispose();
                    return StepOutcome.Failed("connection: " + broken.GetType().Name);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            }, siloCpu);
        }
        finally
        {
            while (idle.TryTake(out var connection))
            {
                connection.Dispose();
            }
        }
    }
}
