using Ticketing.Load.Scenarios;
using Ticketing.Testing;

namespace Ticketing.Load.Tests;

/// <summary>
/// The on-sale scenario with requests that fail: a join answered 503 and
/// waiting-page polls that throw. The run must still end (every entrant
/// resolved, no step left waiting) and say what became of each.
/// </summary>
public sealed class OnsaleFailuresTests
{
    [Fact]
    public async Task Onsale_FailedJoinAndPolls_StillEnds()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database).Start();
        using var api = new TicketingApi(app.Server.BaseAddress, TicketingApp.SigningKey, connections: 50, app.Server.CreateHandler());
        var settings = new OnsaleSettings(Entrants: 40, EarlyShare: 0.5, AdmitPerMinute: 3_000, MaxPerBuyer: null, Seats: 30, LateRate: 20, InFlight: 200, Joiners: 10, Comparison: false)
        {
            OpensIn = TimeSpan.FromSeconds(2),
            WarmUp = TimeSpan.Zero,
        };
        using var failing = new FailingQueue(app.Server.CreateHandler());

        var report = await Onsale.RunAsync(api, settings, database.ConnectionString, handler: failing)
            .WaitAsync(TimeSpan.FromMinutes(4));

        var notes = string.Join(Environment.NewLine, report.Notes);
        Assert.True(failing.FailedJoins == 1 && failing.FailedPolls > 0, notes);
        Assert.DoesNotContain("unfinished", notes, StringComparison.Ordinal);
        Assert.Contains("admission: 39 of 39 joined admitted, 0 never", notes, StringComparison.Ordinal);
        Assert.Contains("join 503", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("still waiting at the end", notes, StringComparison.Ordinal);
    }

    /// <summary>Answers the fifth join 503 and throws on every seventh poll.</summary>
    private sealed class FailingQueue(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int joins;
        private int polls;
        private int failedJoins;
        private int failedPolls;

        public int FailedJoins => Volatile.Read(ref failedJoins);

        public int FailedPolls => Volatile.Read(ref failedPolls);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri?.AbsolutePath ?? "";
            if (path.EndsWith("/queue", StringComparison.Ordinal) && request.Method == HttpMethod.Post && Interlocked.Increment(ref joins) == 5)
            {
                Interlocked.Increment(ref failedJoins);
                return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable) { RequestMessage = request });
            }

            if (path.EndsWith("/queue", StringComparison.Ordinal) && request.Method == HttpMethod.Get && Interlocked.Increment(ref polls) % 7 == 0)
            {
                Interlocked.Increment(ref failedPolls);
                throw new HttpRequestException("A poll's connection broke.");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
