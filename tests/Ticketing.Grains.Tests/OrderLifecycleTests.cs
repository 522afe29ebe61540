using Ticketing.Abstractions.Orders;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Orders;
using Ticketing.Grains.Orders;

namespace Ticketing.Grains.Tests;

/// <summary>The order's state machine without a silo: each transition, and the ones it refuses.</summary>
public sealed class OrderLifecycleTests
{
    internal static readonly DateTimeOffset Now = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);
    internal static readonly Guid TierA = new("00000000-0000-0000-0000-00000000000a");
    internal static readonly Guid TierB = new("00000000-0000-0000-0000-00000000000b");

    private static readonly Guid EventId = Guid.NewGuid();

    internal static OrderLifecycle NewOrder() => OrderLifecycle.Place(
        Guid.NewGuid(), "buyer-1", [Line(TierA, 2, 1500), Line(TierB, 1, 4000)], new OrderContact("b@example.com", "B", null), Now);

    private static (HoldInfo Hold, TierSnapshot Tier) Line(Guid tierId, int quantity, long price, string currency = "eur", Guid? eventId = null) =>
        (new HoldInfo(Guid.NewGuid(), tierId, "buyer-1", quantity, Now.AddMinutes(15), HoldStatus.Active),
         new TierSnapshot(tierId, eventId ?? EventId, "T", price, currency, 100, quantity, 0, 10));

    [Fact]
    public void Refusal_OfHoldsAcrossEventsOrCurrenciesOrForFree_SaysWhy()
    {
        Assert.Null(OrderLifecycle.Refusal([Line(TierA, 2, 1500), Line(TierB, 1, 4000)]));
        Assert.Contains("one event", OrderLifecycle.Refusal([Line(TierA, 1, 1500), Line(TierB, 1, 1500, eventId: Guid.NewGuid())]), StringComparison.Ordinal);
        Assert.Contains("one currency", OrderLifecycle.Refusal([Line(TierA, 1, 1500), Line(TierB, 1, 1500, "usd")]), StringComparison.Ordinal);
        Assert.Contains("Free", OrderLifecycle.Refusal([Line(TierA, 1, 0)]), StringComparison.Ordinal);
    }

    internal static PaymentEvent Paid(OrderLifecycle order, long? amount = null, string currency = "eur") =>
        new("evt_paid", PaymentEventKind.Succeeded, order.State.PaymentIntentId ?? "pi_1", amount ?? order.State.TotalCents, currency, "ch_1");

    internal static List<OrderTicket> Issue(OrderLifecycle order) =>
        order.State.Items.SelectMany(i => Enumerable.Range(1, i.Quantity).Select(n =>
            new OrderTicket(Guid.NewGuid(), order.State.Id, i.TierId, n, "issued", "token"))).ToList();

    internal static (OrderLifecycle Order, List<OrderTicket> Tickets) Fulfilled()
    {
        var order = NewOrder();
        order.PaymentSucceeded(Paid(order), Now);
        order.Fulfil();
        return (order, Issue(order));
    }

    [Fact]
    public void Place_PricesTheItems_AndAwaitsPayment()
    {
        var order = NewOrder();

        Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        Assert.Equal(2 * 1500 + 4000, order.State.TotalCents);
        Assert.True(order.IsUnpaid);
    }

    [Fact]
    public void PaymentSucceeded_WithTheOrderAmount_RecordsThePayment()
    {
        var order = NewOrder();
        order.PaymentCreated("pi_1", "pi_1_secret");

        Assert.Equal(PaymentVerdict.Recorded, order.PaymentSucceeded(Paid(order), Now));
        Assert.Equal(OrderStatus.Paid, order.Status);
        Assert.Equal(Now, order.State.PaidAt);
        Assert.Equal(PaymentVerdict.AlreadyPaid, order.PaymentSucceeded(Paid(order), Now));
    }

    [Theory]
    [InlineData(6999, "eur")]
    [InlineData(7000, "usd")]
    public void PaymentSucceeded_WithAnotherAmountOrCurrency_IsAMismatch_AndChangesNoStatus(long amount, string currency)
    {
        var order = NewOrder();

        Assert.Equal(PaymentVerdict.Mismatch, order.PaymentSucceeded(Paid(order, amount, currency), Now));
        Assert.Equal(OrderStatus.AwaitingPayment, order.Status);
        Assert.Null(order.State.AmountPaidCents);
        Assert.Contains("does not match", order.State.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public void PaymentSucceeded_ForAnotherPaymentIntent_IsAMismatch()
    {
        var order = NewOrder();
        order.PaymentCreated("pi_1", "secret");

        Assert.Equal(PaymentVerdict.Mismatch, order.PaymentSucceeded(Paid(order) with { PaymentIntentId = "pi_other" }, Now));
    }

    [Fact]
    public void PaymentFailed_ThenSucceeded_EndsPaid()
    {
        var order = NewOrder();

        Assert.True(order.PaymentFailed("card declined"));
        Assert.Equal(OrderStatus.PaymentFailed, order.Status);
        Assert.Equal(PaymentVerdict.Recorded, order.PaymentSucceeded(Paid(order), Now));
        Assert.Equal(OrderStatus.Paid, order.Status);
    }

    [Fact]
    public void PaymentFailed_AfterSuccess_ChangesNothing()
    {
        var order = NewOrder();
        order.PaymentSucceeded(Paid(order), Now);

        Assert.False(order.PaymentFailed("an old attempt"));
        Assert.Equal(OrderStatus.Paid, order.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LatePayment_AfterExpiryOrCancel_IsRecorded(bool expire)
    {
        var order = NewOrder();
        if (expire)
        {
            order.Expire();
        }
        else
        {
            order.Cancel();
        }

        Assert.Equal(PaymentVerdict.Recorded, order.PaymentSucceeded(Paid(order), Now));
        Assert.Equal(OrderStatus.Paid, order.Status);
        Assert.Contains("after the order was", order.State.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public void GivingUp_LetsGoOfTheHolds()
    {
        var order = NewOrder();

        order.Cancel();

        Assert.All(order.State.Items, i => Assert.Null(i.HoldId));
    }

    [Fact]
    public void Expire_AfterAFailedAttempt_SaysWhy()
    {
        var order = NewOrder();
        order.PaymentFailed("card declined");

        order.Expire();

        Assert.Equal("not paid before the holds expired (card declined)", order.State.StatusReason);
    }

    [Fact]
    public void RefundRequested_BeforeStripeAnswers_AlreadyCoversItsTickets()
    {
        var (order, tickets) = Fulfilled();
        var chosen = tickets[0];
        order.RefundRequested(new RefundRequest("key-1", [chosen.Id], 1500));

        order.RefundReported(1500); // the refund reached Stripe; its id never came back to us

        Assert.Equal([chosen.Id], order.TicketsToEnd(tickets).Select(e => e.Ticket.Id));
    }

    [Fact]
    public void RefundRefused_MakesTheTicketsRefundableAgain()
    {
        var (order, tickets) = Fulfilled();
        order.RefundRequested(new RefundRequest("key-1", [tickets[0].Id], 1500));

        order.RefundRefused("key-1");

        Assert.Empty(order.PendingRefundTickets(tickets));
    }

    [Fact]
    public void Cancel_AfterPayment_IsRefused()
    {
        var order = NewOrder();
        order.PaymentSucceeded(Paid(order), Now);

        var refused = Assert.Throws<OrderTransitionException>(order.Cancel);
        Assert.Equal(OrderStatus.Paid, refused.From);
        Assert.Equal(OrderStatus.Cancelled, refused.To);
    }

    [Fact]
    public void CapacityGone_OwesAnAutomaticRefund_UntilItIsCreated()
    {
        var order = NewOrder();
        order.PaymentSucceeded(Paid(order), Now);

        order.CapacityGone("sold out");
        Assert.Equal(OrderStatus.Unfulfillable, order.Status);
        Assert.True(order.OwesAutomaticRefund);

        order.AutomaticRefundCreated("re_1");
        Assert.False(order.OwesAutomaticRefund);
        Assert.Throws<OrderTransitionException>(order.Fulfil);
    }

    [Fact]
    public void Refund_OfAllTheMoney_RefundsEveryTicket()
    {
        var (order, tickets) = Fulfilled();

        order.RefundReported(order.State.TotalCents);

        Assert.Equal(3, order.TicketsToEnd(tickets).Count(e => e.End == TicketEnd.Refunded));
        Assert.True(order.Settle(tickets));
        Assert.Equal(OrderStatus.Refunded, order.Status);
    }

    [Fact]
    public void Refund_AskedForOneTicket_RefundsThatTicketOnly_WhenStripeReportsIt()
    {
        var (order, tickets) = Fulfilled();
        var chosen = tickets.First(t => t.TierId == TierB);
        order.RefundRequested(new RefundRequest("re_1", [chosen.Id], 4000));

        Assert.Empty(order.TicketsToEnd(tickets));
        Assert.Contains(chosen.Id, order.PendingRefundTickets(tickets));

        order.RefundReported(4000);
        Assert.Equal([chosen.Id], order.TicketsToEnd(tickets).Select(e => e.Ticket.Id));
        order.Settle(tickets);
        Assert.Equal(OrderStatus.PartiallyRefunded, order.Status);
        Assert.Empty(order.PendingRefundTickets(tickets));
    }

    [Fact]
    public void Refund_FromStripesDashboard_CoversTicketsAsFarAsTheMoneyGoes()
    {
        var (order, tickets) = Fulfilled();

        order.RefundReported(1500); // one ticket of tier A, refunded by hand in Stripe

        var ending = order.TicketsToEnd(tickets);
        Assert.Single(ending);
        Assert.Equal(TierA, ending[0].Ticket.TierId);
    }

    [Fact]
    public void RefundReport_OlderAndSmaller_ChangesNothing()
    {
        var order = NewOrder();
        Assert.True(order.RefundReported(4000));
        Assert.False(order.RefundReported(1500));
        Assert.Equal(4000, order.State.RefundedCents);
    }

    [Fact]
    public void Dispute_OpenThenLost_VoidsTheTickets_AndStaysDisputed()
    {
        var (order, tickets) = Fulfilled();

        order.DisputeReported(DisputeState.Open);
        order.Settle(tickets);
        Assert.Equal(OrderStatus.Disputed, order.Status);
        Assert.Empty(order.TicketsToEnd(tickets));

        order.DisputeReported(DisputeState.Lost);
        Assert.All(order.TicketsToEnd(tickets), e => Assert.Equal(TicketEnd.Voided, e.End));
        Assert.False(order.DisputeReported(DisputeState.Open)); // a decided dispute does not reopen
    }

    [Fact]
    public void Dispute_Won_GoesBackToFulfilled()
    {
        var (order, tickets) = Fulfilled();
        order.DisputeReported(DisputeState.Open);
        order.Settle(tickets);

        order.DisputeReported(DisputeState.Won);
        order.Settle(tickets);

        Assert.Equal(OrderStatus.Fulfilled, order.Status);
    }

    [Fact]
    public void Moves_NeverLeaveUnfulfillable_AndNeverReturnToAwaitingPayment()
    {
        Assert.Empty(OrderLifecycle.Moves[OrderStatus.Unfulfillable]);
        Assert.DoesNotContain(OrderLifecycle.Moves.Values, targets => targets.Contains(OrderStatus.AwaitingPayment));
        Assert.Equal(Enum.GetValues<OrderStatus>().Order(), OrderLifecycle.Moves.Keys.Order());
    }

    [Theory]
    [InlineData(OrderStatus.AwaitingPayment, "awaiting_payment")]
    [InlineData(OrderStatus.PartiallyRefunded, "partially_refunded")]
    [InlineData(OrderStatus.Unfulfillable, "unfulfillable")]
    public void StatusNames_AreTheContractsSnakeCase(OrderStatus status, string name)
    {
        Assert.Equal(name, status.Name());
        Assert.Equal(status, OrderStatusNames.Parse(name));
    }
}
