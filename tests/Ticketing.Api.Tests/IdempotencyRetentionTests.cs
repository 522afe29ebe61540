using System.Net;
using Ticketing.Abstractions.Operations;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>Idempotency keys are kept only for routes the app maps, and for 24 hours.</summary>
public sealed class IdempotencyRetentionTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Key_OnAPathTheAppDoesNotMap_IsNotStored()
    {
        var client = fixture.App.Organizer();
        client.DefaultRequestHeaders.Add("Idempotency-Key", "nowhere-1");

        var response = await client.PostJson("/api/nowhere", new { title = "x" });

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.idempotency_keys WHERE key = 'nowhere-1'"));
    }

    [Fact]
    public async Task Key_OlderThanADay_IsPurged_AndAnsweredAfreshMeanwhile()
    {
        var client = fixture.App.Organizer();
        client.DefaultRequestHeaders.Add("Idempotency-Key", "old-key");
        var first = await (await client.PostJson("/api/events", new { title = "Once", startsAt = "2031-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);
        await fixture.Database.ScalarAsync("UPDATE ticketing.idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'");

        // Past its day the key no longer replays the first answer: the request runs again.
        var second = await (await client.PostJson("/api/events", new { title = "Once", startsAt = "2031-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);
        Assert.NotEqual(first.GetProperty("id").GetGuid(), second.GetProperty("id").GetGuid());

        await fixture.Database.ScalarAsync("UPDATE ticketing.idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = 'old-key'");
        client.DefaultRequestHeaders.Remove("Idempotency-Key");
        client.DefaultRequestHeaders.Add("Idempotency-Key", "fresh-key");
        await (await client.PostJson("/api/events", new { title = "Fresh", startsAt = "2031-01-01T20:00:00Z" })).AssertJson(HttpStatusCode.Created);

        await fixture.App.Grains().GetGrain<IRetentionGrain>(0).Apply();

        Assert.Equal(0L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.idempotency_keys WHERE key = 'old-key'"));
        Assert.Equal(1L, await fixture.Database.ScalarAsync("SELECT count(*) FROM ticketing.idempotency_keys WHERE key = 'fresh-key'"));
    }
}
