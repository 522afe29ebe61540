using CsCheck;
using Ticketing.Abstractions.Tiers;
using Ticketing.Testing;

namespace Ticketing.Grains.Tests;

/// <summary>
/// Random sequences against the real grain on PostgreSQL (time does not pass
/// here; the in-memory model test covers expiry): after every step the
/// database holds the invariants and agrees with what the grain says, and a
/// hold that replaces a live one keeps its expiry.
/// </summary>
public sealed class TierGrainModelTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private static readonly Gen<(int Kind, int User, int Amount)> AStep = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 4], Gen.Int[0, 6]);

    [Fact]
    public async Task RandomSequences_KeepTheDatabaseInvariants()
    {
        await AStep.Array[1, 25].SampleAsync(async steps => await Run(steps), iter: 20, threads: 1);
    }

    private async Task Run((int Kind, int User, int Amount)[] steps)
    {
        var tierId = await TierSetup.CreateAsync(fixture.App, capacity: 12, maxPerOrder: 5);
        var tier = fixture.App.Grains().GetGrain<ITicketTierGrain>(tierId);
        var holds = new Dictionary<int, HoldInfo>();
        var live = new Dictionary<int, HoldInfo>(); // surely still live: neither released nor confirmed since
        var orders = new Dictionary<int, Guid>();
        foreach (var (kind, user, amount) in steps)
        {
            switch (kind)
            {
                case 0:
                    if ((await tier.Reserve($"u{user}", amount)).Hold is { } hold)
                    {
                        if (live.TryGetValue(user, out var replaced))
                        {
                            await AssertKeepsTheExpiryOf(replaced, hold);
                        }

                        holds[user] = live[user] = hold;
                    }

                    break;
                case 1 when holds.TryGetValue(user, out var held):
                    await tier.Release(held.Id, $"u{user}");
                    live.Remove(user);
                    break;
                case 2 when holds.TryGetValue(user, out var held):
                    if (!orders.TryGetValue(user, out var orderId))
                    {
                        orders[user] = orderId = await Issuance.CreateOrderRowAsync(fixture.App, tierId, $"u{user}");
                    }

                    await tier.Confirm(held.Id, orderId, held.Quantity);
                    live.Remove(user);
                    break;
                case 3 when orders.TryGetValue(user, out var voided):
                    await tier.Void(voided, null, TicketEnd.Voided);
                    break;
                case 4:
                    await tier.ChangeCapacity(amount * 3, TicketingApp.Organization);
                    break;
            }

            await AssertInvariants(tierId, (await tier.GetTier()).Tier!);
        }
    }

    /// <summary>Holding again never extends a hold: in the grain's answer and in the rows.</summary>
    private async Task AssertKeepsTheExpiryOf(HoldInfo replaced, HoldInfo hold)
    {
        Assert.Equal(replaced.ExpiresAt, hold.ExpiresAt);
        Assert.Equal("2 rows, 1 expiry", await fixture.Database.ScalarAsync(
            "SELECT format('%s rows, %s expiry', count(*), count(DISTINCT expires_at)) FROM ticketing.ticket_holds WHERE id IN (@replaced, @hold)",
            ("replaced", replaced.Id), ("hold", hold.Id)));
    }

    private async Task AssertInvariants(Guid tierId, TierSnapshot said)
    {
        var stored = (string?)await fixture.Database.ScalarAsync(
            """
            SELECT format('%s/%s/%s', t.quantity, t.reserved_quantity, t.issued_quantity)
                || format(' holds=%s tickets=%s', (SELECT coalesce(sum(quantity), 0) FROM ticketing.ticket_holds WHERE tier_id = t.id AND status = 'active'),
                                                 (SELECT count(*) FROM ticketing.tickets WHERE tier_id = t.id AND status = 'issued'))
            FROM ticketing.ticket_tiers t WHERE t.id = @id
            """,
            ("id", tierId));
        Assert.Equal($"{said.Capacity}/{said.Reserved}/{said.Issued} holds={said.Reserved} tickets={said.Issued}", stored);
        Assert.True(said.Reserved + said.Issued <= said.Capacity);
    }
}
