using CsCheck;
using Ticketing.Abstractions.Orders;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Orders;
using Ticketing.Grains.Orders;

namespace Ticketing.Grains.Tests;

/// <summary>
/// Stripe delivers events late, twice and out of order. Whatever the order
/// and the duplicates, one set of facts must end the same way: the same
/// status, the same tickets live, every move a valid one, and tickets that
/// exist exactly when the order was paid and issued. (Which of refunded or
/// voided a ticket ends as may follow the arrival order when both a refund
/// and a lost dispute cover it: an ended ticket stays ended.)
/// </summary>
public sealed class OrderLifecycleModelTests
{
    private enum Fact
    {
        Failed,
        Succeeded,
        RefundedPart,
        RefundedAll,
        DisputeOpened,
        DisputeLost,
        DisputeWon,
    }

    private static readonly Gen<Fact[]> AFactSet = Gen.Select(
        Gen.Bool, Gen.Bool, Gen.Int[0, 2], Gen.Int[0, 2],
        (failed, succeeded, refund, dispute) =>
        {
            var facts = new List<Fact>();
            if (failed)
            {
                facts.Add(Fact.Failed);
            }

            if (succeeded)
            {
                facts.Add(Fact.Succeeded);
            }

            facts.AddRange(refund switch { 1 => [Fact.RefundedPart], 2 => [Fact.RefundedPart, Fact.RefundedAll], _ => [] });
            facts.AddRange(dispute switch { 1 => [Fact.DisputeOpened, Fact.DisputeWon], 2 => [Fact.DisputeOpened, Fact.DisputeLost], _ => [] });
            return facts.ToArray();
        });

    [Fact]
    public void AnyDeliveryOrder_WithDuplicates_EndsTheSame() =>
        Gen.Select(AFactSet, Gen.Int.Array[1, 4], Gen.Int[0, 3]).Sample((facts, seeds, duplicates) =>
        {
            var (expectedStatus, expectedTickets) = Deliver(facts);
            foreach (var seed in seeds)
            {
                var random = new Random(seed);
                Fact[] shuffled = [.. facts.Concat(facts.Take(duplicates)).OrderBy(_ => random.Next())];
                var (status, tickets) = Deliver(shuffled);
                Assert.Equal(expectedStatus, status);
                Assert.Equal(expectedTickets, tickets);
            }
        }, iter: 2000);

    /// <summary>Runs the facts through the lifecycle the way the grain does, issuing tickets when paid.</summary>
    private static (OrderStatus Status, string Tickets) Deliver(Fact[] facts)
    {
        var order = OrderLifecycleTests.NewOrder();
        order.PaymentCreated("pi_1", "secret");
        var tickets = new List<OrderTicket>();
        var seeds = new Queue<Guid>(Enumerable.Range(1, 10).Select(i => new Guid(i, 0, 0, new byte[8])));
        foreach (var fact in facts)
        {
            switch (fact)
            {
                case Fact.Failed:
                    order.PaymentFailed("declined");
                    break;
                case Fact.Succeeded when order.PaymentSucceeded(OrderLifecycleTests.Paid(order), OrderLifecycleTests.Now) == PaymentVerdict.Recorded:
                    tickets = order.State.Items.SelectMany(i => Enumerable.Range(1, i.Quantity).Select(n =>
                        new OrderTicket(seeds.Dequeue(), order.State.Id, i.TierId, n, "issued", "t"))).ToList();
                    order.Fulfil();
                    break;
                case Fact.RefundedPart:
                    order.RefundReported(1500);
                    break;
                case Fact.RefundedAll:
                    order.RefundReported(order.State.TotalCents);
                    break;
                case Fact.DisputeOpened:
                    order.DisputeReported(DisputeState.Open);
                    break;
                case Fact.DisputeLost:
                    order.DisputeReported(DisputeState.Lost);
                    break;
                case Fact.DisputeWon:
                    order.DisputeReported(DisputeState.Won);
                    break;
            }

            // The grain's last step after every fact: end what the facts say, then settle.
            foreach (var (ticket, end) in order.TicketsToEnd(tickets))
            {
                tickets[tickets.IndexOf(ticket)] = ticket with { Status = end == TicketEnd.Refunded ? "refunded" : "voided" };
            }

            order.Settle(tickets);
            Assert.Equal(order.HasTickets, tickets.Count == 3);
        }

        return (order.Status, string.Join(',', tickets.Select(t => $"{t.TierId:N}/{t.SequenceNumber}/{(t.Issued ? "live" : "ended")}")));
    }
}
