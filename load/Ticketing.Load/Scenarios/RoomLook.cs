using System.Net;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// Looks at the waiting room (<c>GET /api/events/{id}/queue</c>, answered at
/// once) as fast as buyers who have joined can send them, the room closed
/// until tomorrow: what one look costs the silo. At an opening every waiting
/// page is answered once within 20 s, and the on-sale scenario sends most of
/// those answers as looks. Each buyer joins before its first look: enough of
/// them join before the run, and any more the run needs join in their first
/// step (its time counted).
/// </summary>
public static class RoomLook
{
    /// <summary>Buyers enough for 25,000 looks a second at the silo's queue limit, joined before the run.</summary>
    public const int JoinedBeforehand = 60_000;

    public static async Task<RunResult> RunAsync(TicketingApi api, LoadShape shape, CpuAccount? cpu, int joinedBeforehand = JoinedBeforehand)
    {
        var tierId = await api.CreateTierAsync("Waiting room looks", capacity: 1000);
        var eventId = (await api.GetTierAsync(tierId)).GetProperty("eventId").GetGuid();
        var (status, onSale) = await api.SendAsync(HttpMethod.Put, $"/api/events/{eventId}/onsale", TicketingApi.Organizer, "organizer",
            new { opensAt = DateTimeOffset.UtcNow.AddDays(1), admitPerMinute = 1000 }, CancellationToken.None);
        TicketingApi.Expect(HttpStatusCode.OK, status, onSale);

        var path = $"/api/events/{eventId}/queue";
        using var silo = new LeanPool(api.Target);
        Buyer Make(int number)
        {
            var token = api.Token($"looker-{eventId.ToString("N")[..8]}-{number}", "buyer");
            return new Buyer(
                LeanConnection.Request(HttpMethod.Post, api.Target, path, token, null),
                LeanConnection.Request(HttpMethod.Get, api.Target, path, token, null));
        }

        // Joined beforehand, a few hundred at a time, so the run itself is looks.
        var ready = new Buyer[joinedBeforehand];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(async () =>
        {
            for (int i; (i = Interlocked.Increment(ref next)) < ready.Length;)
            {
                var buyer = Make(i);
                await JoinAsync(silo, buyer);
                ready[i] = buyer;
            }
        })));

        using var metrics = new SiloMetrics(api.Target, siloPid: null);
        var buyers = new Identities<Buyer>(SiloLimits.Rest((SiloLimits.Queue, 1)), number => number < ready.Length ? ready[number] : Make(number));
        var result = await LoadRun.RunAsync("room-look: a waiting buyer's look at its place", shape, (_, cancellationToken) => buyers.RunAsync(async buyer =>
        {
            if (!buyer.Joined)
            {
                await JoinAsync(silo, buyer);
            }

            var (answer, failure) = await silo.SendAsync(buyer.Look, keepBody: false, cancellationToken);
            return answer == 200 ? StepOutcome.Success : StepOutcome.Failed(TicketingApi.Cause((HttpStatusCode)answer, failure));
        }), cpu, metrics);
        return result with { Identities = buyers.Count };
    }

    private static async Task JoinAsync(LeanPool silo, Buyer buyer)
    {
        var (status, failure) = await silo.SendAsync(buyer.Join, keepBody: false, CancellationToken.None);
        if (status != 200)
        {
            throw new InvalidOperationException($"room-look: a join answered {TicketingApi.Cause((HttpStatusCode)status, failure)}");
        }

        buyer.Joined = true;
    }

    private sealed class Buyer(byte[] join, byte[] look)
    {
        public byte[] Join { get; } = join;

        public byte[] Look { get; } = look;

        public bool Joined { get; set; }
    }
}
