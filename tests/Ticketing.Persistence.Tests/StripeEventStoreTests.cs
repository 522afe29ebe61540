using Ticketing.Persistence.Payments;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// The webhook inbox receiving many events at once (written together): each
/// event id is stored once whatever the number of deliveries, a delivery of an
/// event already processed is recognised, and marks of many events land.
/// </summary>
public sealed class StripeEventStoreTests : IAsyncLifetime
{
    private TestDatabase database = null!;

    public async Task InitializeAsync() => database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task EventsReceivedAtOnce_AreStoredOnceEach_AndAnEventAlreadyProcessedIsRecognised()
    {
        await using var inbox = new StripeEventStore(database.DataSource);
        var processed = Enumerable.Range(0, 10).Select(i => $"evt_processed_{i}").ToArray();
        var pending = Enumerable.Range(0, 10).Select(i => $"evt_pending_{i}").ToArray();
        var fresh = Enumerable.Range(0, 20).Select(i => $"evt_fresh_{i}").ToArray();
        await Task.WhenAll(processed.Concat(pending).Select(id => Receive(inbox, id)));
        await Task.WhenAll(processed.Select(id => inbox.MarkProcessedAsync(id, CancellationToken.None)));

        // Every event delivered twice more, all released at the same moment.
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deliveries = processed.Concat(pending).Concat(fresh).Concat(fresh).Concat(processed)
            .Select(async id =>
            {
                await start.Task;
                return (Id: id, Status: await Receive(inbox, id));
            })
            .ToArray();
        start.SetResult();
        var answers = await Task.WhenAll(deliveries);

        Assert.All(answers.Where(a => a.Id.StartsWith("evt_processed_", StringComparison.Ordinal)), a => Assert.Equal(InboxStatus.Processed, a.Status));
        Assert.All(answers.Where(a => !a.Id.StartsWith("evt_processed_", StringComparison.Ordinal)), a => Assert.Equal(InboxStatus.Pending, a.Status));
        Assert.Equal(40L, await database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events"));
        Assert.Equal(10L, await database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events WHERE status = 'processed'"));
        Assert.Equal("{\"id\": \"evt_fresh_3\"}", await database.ScalarAsync("SELECT payload::text FROM ticketing.stripe_events WHERE event_id = 'evt_fresh_3'"));
    }

    [Fact]
    public async Task EventsMarkedProcessedAtOnce_AreAllProcessed_AndNoLongerWaitForTheSweep()
    {
        await using var inbox = new StripeEventStore(database.DataSource);
        var ids = Enumerable.Range(0, 30).Select(i => $"evt_mark_{i}").ToArray();
        await Task.WhenAll(ids.Select(id => Receive(inbox, id)));

        await Task.WhenAll(ids.Take(25).Select(id => inbox.MarkProcessedAsync(id, CancellationToken.None)));

        Assert.Equal(25L, await database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events WHERE status = 'processed' AND attempts = 1 AND processed_at IS NOT NULL"));
        var waiting = await inbox.UnprocessedAsync(DateTimeOffset.UtcNow.AddMinutes(1), 100, CancellationToken.None);
        Assert.Equal(ids.Skip(25).Order(StringComparer.Ordinal), waiting.Select(e => e.EventId).Order(StringComparer.Ordinal));
    }

    private static Task<InboxStatus> Receive(StripeEventStore inbox, string eventId) =>
        inbox.ReceiveAsync(eventId, "payment_intent.succeeded", $$"""{"id":"{{eventId}}"}""", CancellationToken.None);
}
