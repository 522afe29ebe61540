using Ticketing.Persistence.Orders;
using Ticketing.Testing;

namespace Ticketing.Persistence.Tests;

/// <summary>
/// An organizer's lookup of a buyer's orders by e-mail address: the newest of
/// the organizer's organizations' orders with that address in any case, read
/// through the index of lower-cased addresses (sql/0021) rather than the whole
/// table. Bounded by the pages the statement reads, not by time.
/// </summary>
public sealed class OrdersByContactEmailTests : StatementPagesTests
{
    private const int Others = 100_000;

    /// <summary>More than a lookup answers, so the bound and the order show.</summary>
    private const int Theirs = 60;

    private const int Limit = 50;

    /// <summary>Measured: 164 pages through the index, most of them the 50 orders' items; 3,451 without it.</summary>
    private const long MaxPages = 250;

    private static readonly Guid OwnEvent = Guid.NewGuid();
    private static readonly Guid OtherEvent = Guid.NewGuid();
    private static readonly Guid OwnTier = Guid.NewGuid();
    private static readonly Guid OtherTier = Guid.NewGuid();

    protected override async Task SeedAsync(TestDatabase database)
    {
        await database.ScalarAsync($"""
            INSERT INTO ticketing.events (id, organization_id, title, starts_at, created_by) VALUES
                ('{OwnEvent}', 'org-own', 'Own night', now() + interval '1 day', 'own'),
                ('{OtherEvent}', 'org-other', 'Other night', now() + interval '1 day', 'other');
            INSERT INTO ticketing.ticket_tiers (id, event_id, name, price_cents, currency, quantity) VALUES
                ('{OwnTier}', '{OwnEvent}', 'GA', 2500, 'eur', 1000),
                ('{OtherTier}', '{OtherEvent}', 'GA', 2500, 'eur', 1000);
            -- everybody else's orders, and ones whose contact details were erased
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, contact_email, contact_name, created_at)
                SELECT gen_random_uuid(), '{OwnEvent}', 'buyer-' || n, 'cancelled', 2500, 'eur',
                       CASE WHEN n % 10 = 0 THEN NULL ELSE 'buyer-' || n || '@example.org' END, 'Buyer ' || n, now() - n * interval '1 second'
                FROM generate_series(1, {Others}) AS n;
            -- the buyer looked for, in two cases, at both organizations' events, one order every three days (everybody else's are of the last day)
            INSERT INTO ticketing.orders (id, event_id, user_id, status, total_cents, currency, contact_email, contact_name, created_at)
                SELECT gen_random_uuid(), CASE WHEN n % 3 = 0 THEN '{OtherEvent}'::uuid ELSE '{OwnEvent}'::uuid END, 'ada', 'cancelled', 2500 * n, 'eur',
                       CASE WHEN n % 2 = 0 THEN 'Ada@Example.org' ELSE 'ada@example.org' END, 'Ada', now() - n * interval '3 days'
                FROM generate_series(1, {Theirs * 3 / 2}) AS n;
            INSERT INTO ticketing.order_items (order_id, tier_id, quantity, unit_price_cents)
                SELECT id, CASE WHEN event_id = '{OwnEvent}' THEN '{OwnTier}'::uuid ELSE '{OtherTier}'::uuid END, total_cents / 2500, 2500
                FROM ticketing.orders WHERE user_id = 'ada';
            """);
        await database.ScalarAsync("VACUUM ANALYZE ticketing.orders");
    }

    [Fact]
    public async Task Lookup_AnswersTheNewestOfTheOrganizationsOrders_InAnyCase()
    {
        await using var orders = new OrderRepository(Prepared);

        var found = await orders.ByContactEmailAsync("ADA@example.ORG", ["org-own"], Limit, CancellationToken.None);

        Assert.Equal(Limit, found.Count);
        Assert.All(found, order => Assert.Equal(OwnEvent, order.EventId));
        Assert.All(found, order => Assert.Equal("Own night", order.EventTitle));
        Assert.Equal(found.OrderByDescending(order => order.CreatedAt), found);
        // The newest of the own event's: n = 1, 2, 4, 5, 7... (every third is the other organization's).
        Assert.Equal(1, found[0].Quantity);
        Assert.Equal("ada@example.org", found[0].ContactEmail);
        Assert.Equal(2, found[1].Quantity);
        Assert.Equal("Ada@Example.org", found[1].ContactEmail);
        Assert.Equal(4, found[2].Quantity);
    }

    [Fact]
    public async Task Lookup_OfAnotherAddress_OrForAnotherOrganization_FindsNothingOfTheirs()
    {
        await using var orders = new OrderRepository(Prepared);

        Assert.Empty(await orders.ByContactEmailAsync("ada@example.org", ["org-nobody"], Limit, CancellationToken.None));
        Assert.Empty(await orders.ByContactEmailAsync("ada@example.com", ["org-own", "org-other"], Limit, CancellationToken.None));
        Assert.All(
            await orders.ByContactEmailAsync("ada@example.org", ["org-other"], Limit, CancellationToken.None),
            order => Assert.Equal(OtherEvent, order.EventId));
    }

    [Fact]
    public async Task Lookup_ReadsTheIndex_NotEveryOrder()
    {
        await using var orders = new OrderRepository(Prepared);
        await orders.ByContactEmailAsync("ada@example.org", ["org-own"], Limit, CancellationToken.None);
        await Database.ForgetStatementsAsync();

        await orders.ByContactEmailAsync("ada@example.org", ["org-own"], Limit, CancellationToken.None);

        Assert.InRange(await Database.PagesPerCallAsync("%lower(o.contact_email) = lower($1)%"), 1, MaxPages);
    }
}
