using System.Net;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

public sealed class TierUnavailableTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task PlaceHold_WhenTheTierWriteIsRefused_Returns503KeepsNothing_AndTheRetrySucceeds()
    {
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity: 10);
        var buyer = fixture.App.Buyer("unlucky-buyer");
        await (await buyer.PostJson("/api/holds", new { tierId, quantity = 1 })).AssertJson(HttpStatusCode.Created);
        // Another writer moves the row on behind the grain's back.
        await fixture.Database.ScalarAsync("UPDATE ticketing.ticket_tiers SET version = version + 1 WHERE id = @id", ("id", tierId));

        var refused = await buyer.PostJson("/api/holds", new { tierId, quantity = 2 });
        var retried = await buyer.PostJson("/api/holds", new { tierId, quantity = 2 });

        await refused.AssertProblem(HttpStatusCode.ServiceUnavailable, "tier-unavailable");
        Assert.Equal("1", refused.Headers.RetryAfter?.ToString());
        await retried.AssertJson(HttpStatusCode.Created);
        Assert.Equal(2L, await fixture.Database.ScalarAsync(
            "SELECT sum(quantity) FROM ticketing.ticket_holds WHERE tier_id = @id AND status = 'active'", ("id", tierId)));
    }
}
