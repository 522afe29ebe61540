using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Ticketing.Abstractions.Orders;
using Ticketing.Abstractions.Tickets;
using Ticketing.Abstractions.Tiers;
using Ticketing.Domain.Orders;
using Ticketing.Grains.Payments;
using Ticketing.Persistence.Events;
using Ticketing.Persistence.Orders;
using Ticketing.Persistence.Tiers;

namespace Ticketing.Grains.Orders;

/// <summary>
/// One order. Its rules are in <see cref="OrderLifecycle"/>; this grain does
/// the I/O they call for, one request at a time (not reentrant), writing the
/// order's state before each step that depends on it. The saga from payment
/// to tickets: record the payment, ask each tier to confirm (idempotent per
/// order), mark fulfilled. After a crash, the recovery sweep (a reminder of
/// PaymentRecoveryGrain) brings back every order that still owes something.
/// When its activation stays and goes is <see cref="OrderActivation"/>'s;
/// the calls waiting on its status are <see cref="StatusWaiters"/>'.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class OrderGrain(
    OrderRepository repository,
    HoldStore holds,
    EventOwners owners,
    StripePayments payments,
    PaymentsOrigin origin,
    TimeProvider clock,
    OrderMetrics metrics,
    ILogger<OrderGrain> logger) : Grain, IOrderGrain
{
    private OrderLifecycle? order;
    private long version;
    private Task? loading;
    private readonly StatusWaiters waiters = new(clock, metrics.OrderWaits);
    private OrderActivation? activation;

    /// <summary>Made on first use: it needs the grain, which a field initializer cannot name.</summary>
    private OrderActivation Activation => activation ??= new(this, waiters, DeactivateOnIdle, DelayDeactivation);

    private Guid OrderId => this.GetPrimaryKey();

    private DateTimeOffset Now => clock.GetUtcNow();

    public async Task<OrderResult> Get()
    {
        await Loaded();
        return order is null ? Missing() : Answer();
    }

    /// <summary>
    /// Answers from what is stored, never from a change still being written:
    /// this call interleaves with the others, which change the order in
    /// memory before they save it. Answers at once when the activation is
    /// leaving (<see cref="OrderActivation.Leave"/>).
    /// </summary>
    public async Task<OrderResult> WaitWhile(IReadOnlySet<OrderStatus> statuses, TimeSpan timeout)
    {
        await Loaded();
        return await waiters.WaitWhile(statuses, timeout) is { } stored
            ? new OrderResult(OrderOutcome.Done, stored.ToSnapshot())
            : Missing();
    }

    /// <summary>
    /// Places a new order: the holds are checked, Stripe creates the payment,
    /// and the order is stored with it in one write. A new order's id is
    /// fresh (the API makes it), so nothing is read for it first. A failure
    /// before the write leaves nothing behind: no order, the holds still the
    /// buyer's.
    /// </summary>
    public async Task<OrderResult> Place(PlaceOrder command)
    {
        if (order is not null)
        {
            return new OrderResult(OrderOutcome.Invalid, null, $"Order {OrderId} already exists.");
        }

        var held = await ReadBuyersHolds(command);
        if (held.Refusal is { } refusal)
        {
            return refusal;
        }

        if (held.AlreadyOrdered)
        {
            DeactivateOnIdle();
            return await ExistingOrderFor(command);
        }

        if (OrderLifecycle.Refusal(held.Lines) is { } invalid)
        {
            return new OrderResult(OrderOutcome.Invalid, null, invalid);
        }

        var placed = OrderLifecycle.Place(OrderId, command.UserId, held.Lines, command.Contact, Now);
        if (await CreatePayment(placed) is { } failed)
        {
            DeactivateOnIdle();
            return failed;
        }

        if (!await Store(placed))
        {
            DeactivateOnIdle();
            return await ExistingOrderFor(command);
        }

        return Answer();
    }

    /// <summary>The buyer's holds, each with its tier; a refusal when one is not a live hold of theirs or its tier is gone.</summary>
    private async Task<BuyersHolds> ReadBuyersHolds(PlaceOrder command)
    {
        var now = Now;
        var lines = new List<(HoldInfo Hold, TierSnapshot Tier)>();
        var alreadyOrdered = false;
        foreach (var holdId in command.HoldIds.Distinct())
        {
            if (await holds.FindWithOrderAsync(holdId, now, CancellationToken.None) is not ({ Status: HoldStatus.Active } hold, var orderId) || hold.UserId != command.UserId)
            {
                return new BuyersHolds(lines, false, new OrderResult(OrderOutcome.HoldNotFound, null, $"No live hold {holdId} of yours."));
            }

            if ((await Tier(hold.TierId).GetTier()).Tier is not { } tier)
            {
                return new BuyersHolds(lines, false, new OrderResult(OrderOutcome.HoldNotFound, null, $"Hold {holdId} is of a tier that no longer exists."));
            }

            alreadyOrdered |= orderId is not null;
            lines.Add((hold, tier));
        }

        return new BuyersHolds(lines, alreadyOrdered, null);
    }

    /// <summary>Stripe creates the order's payment; the answer to give instead when it refuses or fails (nothing is kept then).</summary>
    private async Task<OrderResult?> CreatePayment(OrderLifecycle placed)
    {
        try
        {
            var intent = await payments.CreatePaymentAsync(OrderId, placed.State.TotalCents, placed.State.Currency, CancellationToken.None);
            placed.PaymentCreated(intent.Id, intent.ClientSecret);
            return null;
        }
        catch (Stripe.StripeException refused) when (StripePayments.IsRefusal(refused))
        {
            logger.LogWarning(refused, "Order {OrderId}: Stripe refused the payment of {Total} {Currency}", OrderId, placed.State.TotalCents, placed.State.Currency);
            return new OrderResult(OrderOutcome.PaymentRefused, null, $"Stripe refused the payment: {refused.StripeError.Message} Nothing was kept.");
        }
        catch (Exception failure) when (StripePayments.IsProviderFailure(failure))
        {
            logger.LogWarning(failure, "Order {OrderId}: Stripe could not create the payment", OrderId);
            return new OrderResult(OrderOutcome.PaymentProviderFailed, null, "Stripe could not create the payment. Your holds are still yours: try again.");
        }
    }

    /// <summary>Writes the new order with its payment and keeps it in this activation; false when its holds went elsewhere meanwhile.</summary>
    private async Task<bool> Store(OrderLifecycle placed)
    {
        if (!await repository.InsertAsync(placed.State, CancellationToken.None))
        {
            // Another checkout took these holds, or one of them ended, after
            // they were read: nobody has this payment's client secret, so
            // nobody can pay it.
            await CancelUnusedPayment(placed.State.PaymentIntentId!);
            return false;
        }

        order = placed;
        version = 0;
        loading = Task.CompletedTask;
        waiters.Saved(placed.State);
        metrics.OrdersPlaced.Add(1);
        Activation.KeepUntilDeadline(placed, Now, ExpireIfDue);
        return true;
    }

    /// <summary>What <see cref="ReadBuyersHolds"/> found: the lines, whether one of the holds is in an order already, or why not.</summary>
    private sealed record BuyersHolds(IReadOnlyList<(HoldInfo Hold, TierSnapshot Tier)> Lines, bool AlreadyOrdered, OrderResult? Refusal);

    public async Task<OrderResult> Cancel(string userId)
    {
        await Loaded();
        if (order is null || order.State.UserId != userId)
        {
            return Missing();
        }

        if (!order.IsUnpaid)
        {
            return new OrderResult(OrderOutcome.WrongState, order.State.ToSnapshot(), $"Only an unpaid order can be cancelled; this one is {order.Status.Name()}.");
        }

        try
        {
            if (await GiveUpPayment() is { } payment)
            {
                await RecordPayment(payment);
                return new OrderResult(OrderOutcome.WrongState, order.State.ToSnapshot(), "The payment went through before the cancellation.");
            }
        }
        catch (Exception failure) when (StripePayments.IsProviderFailure(failure))
        {
            logger.LogWarning(failure, "Order {OrderId}: Stripe could not cancel the payment", OrderId);
            return new OrderResult(OrderOutcome.PaymentProviderFailed, order.State.ToSnapshot(), "Stripe could not cancel the payment; nothing changed, try again.");
        }

        order.Cancel();
        await Save("cancelled");
        Activation.LeaveIfSettled(order);
        return Answer();
    }

    public async Task<OrderResult> Refund(IReadOnlyList<Guid>? ticketIds, string organizationId)
    {
        await Loaded();
        if (order is null)
        {
            return Missing();
        }

        // The caller checked too; the order still refuses another organization's refund itself.
        if (await owners.OfEventAsync(order.State.EventId, CancellationToken.None) != organizationId)
        {
            return new OrderResult(OrderOutcome.NotFound, null, $"No order {OrderId}.");
        }

        if (order.Status is not (OrderStatus.Fulfilled or OrderStatus.PartiallyRefunded))
        {
            return new OrderResult(OrderOutcome.WrongState, order.State.ToSnapshot(), $"Only a fulfilled order can be refunded; this one is {order.Status.Name()}.");
        }

        var tickets = await repository.TicketsAsync(OrderId, CancellationToken.None);
        var pending = order.PendingRefundTickets(tickets);
        var refundable = tickets.Where(t => t.Issued && !pending.Contains(t.Id)).ToList();
        if (ticketIds is not null && ticketIds.FirstOrDefault(id => refundable.All(t => t.Id != id)) is var unknown && unknown != Guid.Empty)
        {
            return new OrderResult(OrderOutcome.Invalid, order.State.ToSnapshot(), $"Ticket {unknown} is not a refundable ticket of this order.");
        }

        var chosen = ticketIds is null ? refundable : refundable.Where(t => ticketIds.Contains(t.Id)).ToList();
        if (chosen.Count == 0)
        {
            return new OrderResult(OrderOutcome.WrongState, order.State.ToSnapshot(), "Nothing is left to refund.");
        }

        var ids = chosen.Select(t => t.Id).Order().ToList();
        var key = $"order-{OrderId}-refund-{Fingerprint(ids)}";
        var amount = order.PriceOf(chosen);

        // Which tickets the money is for is durable before Stripe is asked: a
        // crash in between still ends these tickets, not others, when Stripe
        // reports the refund.
        order.RefundRequested(new RefundRequest(key, ids, amount));
        await Save("refund_requested");
        try
        {
            var refundId = await payments.RefundAsync(
                order.State.PaymentIntentId!, amount, key,
                new Dictionary<string, string> { ["order_id"] = OrderId.ToString(), ["tickets"] = ids.Count.ToString() },
                CancellationToken.None);
            order.RefundCreated(key, refundId);
            await Save("refund_created");
        }
        catch (Exception failure) when (StripePayments.IsProviderFailure(failure))
        {
            logger.LogWarning(failure, "Order {OrderId}: Stripe could not refund", OrderId);
            order.RefundRefused(key);
            await Save("refund_refused");
            return new OrderResult(OrderOutcome.PaymentProviderFailed, order.State.ToSnapshot(), "Stripe could not create the refund; nothing changed, try again.");
        }

        return Answer();
    }

    public async Task Apply(PaymentEvent paymentEvent)
    {
        await Loaded();
        if (order is null)
        {
            DeactivateOnIdle();
            await ApplyWithoutOrder(paymentEvent);
            return;
        }

        if (order.IsAboutAnotherPayment(paymentEvent))
        {
            logger.LogWarning("Stripe event {EventId} is about payment {PaymentIntentId}, not order {OrderId}'s; ignored", paymentEvent.EventId, paymentEvent.PaymentIntentId, OrderId);
            return;
        }

        if (paymentEvent.Kind == PaymentEventKind.Succeeded)
        {
            await RecordPayment(paymentEvent);
        }
        else if (order.Take(paymentEvent) is { } fact)
        {
            Raise(fact.Alert, paymentEvent);
            await Save(fact.SaveAs);
            if (fact.MaySettle)
            {
                Activation.LeaveIfSettled(order);
            }
        }

        await EndTicketsPerFacts();
    }

    private async Task ApplyWithoutOrder(PaymentEvent paymentEvent)
    {
        switch (OrderLifecycle.WithoutOrder(paymentEvent, paymentEvent.Origin == origin.ServiceId))
        {
            case PaymentWithoutOrder.NotOurs:
                logger.LogInformation("Stripe event {EventId}: payment {PaymentIntentId} was not created by this deployment; left alone", paymentEvent.EventId, paymentEvent.PaymentIntentId);
                break;
            case PaymentWithoutOrder.RefundIt:
                await RefundOrphanPayment(paymentEvent); // alerts on its own
                break;
            case PaymentWithoutOrder.NeverPlaced:
                // Expected: thousands in a contended rush.
                logger.LogDebug("Stripe event {EventId}: the payment of order {OrderId}, never placed, is cancelled", paymentEvent.EventId, OrderId);
                break;
            default:
                logger.LogWarning("Stripe event {EventId} names order {OrderId}, which does not exist", paymentEvent.EventId, OrderId);
                break;
        }
    }

    private void Raise(OrderAlert alert, PaymentEvent paymentEvent)
    {
        switch (alert)
        {
            case OrderAlert.DisputeOpened:
                metrics.DisputesOpened.Add(1);
                logger.LogError("ALERT order {OrderId}: payment {PaymentIntentId} is disputed", OrderId, paymentEvent.PaymentIntentId);
                break;
            case OrderAlert.DisputeLost:
                logger.LogError("ALERT order {OrderId}: dispute lost, its tickets are voided", OrderId);
                break;
        }
    }

    public async Task Resume()
    {
        await Loaded();
        if (order is null)
        {
            DeactivateOnIdle();
            return;
        }

        await ExpireIfDue();
        await CompleteIssuance();
        await EndTicketsPerFacts();
        Activation.LeaveIfSettled(order);
    }

    private async Task ExpireIfDue()
    {
        if (order is not { IsUnpaid: true } || Now < order.State.ExpiresAt)
        {
            return;
        }

        try
        {
            // A payment that does not match the order does not pay for it: the order expires all the same.
            if (await GiveUpPayment() is { } payment && await RecordPayment(payment) != PaymentVerdict.Mismatch)
            {
                return;
            }
        }
        catch (Exception failure) when (StripePayments.IsProviderFailure(failure))
        {
            // Expire all the same: a payment that still lands is a late payment,
            // issued from fresh capacity or refunded.
            logger.LogWarning(failure, "Order {OrderId}: Stripe could not cancel the payment of an expired order", OrderId);
        }

        order.Expire();
        await Save("expired");
        Activation.LeaveIfSettled(order);
    }

    /// <summary>Cancels the payment intent; answers the payment instead when it had already succeeded.</summary>
    private async Task<PaymentEvent?> GiveUpPayment()
    {
        if (order!.State.PaymentIntentId is not { } paymentIntentId)
        {
            return null;
        }

        var intent = await payments.CancelPaymentAsync(paymentIntentId, CancellationToken.None);
        return intent.Status == "succeeded"
            ? new PaymentEvent($"fetched:{intent.Id}", PaymentEventKind.Succeeded, intent.Id, intent.AmountReceived, intent.Currency, intent.LatestChargeId)
            : null;
    }

    /// <summary>
    /// Money taken for an order that was never stored: no ticket can be issued
    /// for it, so it goes back (once: the refund's idempotency key is the
    /// payment's), and is noted for the alert payment_without_order. An
    /// order's row is written before its payment can be paid, and a payment is
    /// never acted on while its order is being placed, so this is a fault
    /// elsewhere. A payment Stripe does not know took no money, and is noted
    /// without a refund. A failure to refund or to note throws, and the inbox
    /// delivers the event again.
    /// </summary>
    private async Task RefundOrphanPayment(PaymentEvent payment)
    {
        metrics.OrphanPayments.Add(1);
        logger.LogCritical("ALERT payment {PaymentIntentId} of {Amount} {Currency} names order {OrderId}, which does not exist: refunding it",
            payment.PaymentIntentId, payment.AmountCents, payment.Currency, OrderId);
        string? refundId = null;
        try
        {
            refundId = await payments.RefundAsync(payment.PaymentIntentId, null, $"orphan-{payment.PaymentIntentId}-refund",
                new Dictionary<string, string> { ["order_id"] = OrderId.ToString(), ["reason"] = "no_such_order" }, CancellationToken.None);
        }
        catch (Stripe.StripeException unknown) when (unknown.StripeError?.Code == "resource_missing" || StripePayments.IsRefusal(unknown))
        {
            logger.LogWarning(unknown, "Payment {PaymentIntentId} could not be refunded: {Message}", payment.PaymentIntentId, unknown.StripeError?.Message);
        }

        await repository.NotePaymentWithoutOrderAsync(OrderId, payment, refundId, CancellationToken.None);
    }

    private async Task<PaymentVerdict> RecordPayment(PaymentEvent payment)
    {
        var late = !order!.IsUnpaid;
        var reasonBefore = order.State.StatusReason;
        var verdict = order.PaymentSucceeded(payment, Now);
        switch (verdict)
        {
            case PaymentVerdict.Mismatch when order.State.StatusReason == reasonBefore:
                // This payment's mismatch was recorded and alerted before: a repeated event.
                return verdict;
            case PaymentVerdict.Mismatch:
                metrics.PaymentMismatches.Add(1);
                logger.LogCritical(
                    "ALERT order {OrderId}: payment {PaymentIntentId} of {Amount} {Currency} does not match the order's {Total} {OrderCurrency}; nothing issued",
                    OrderId, payment.PaymentIntentId, payment.AmountCents, payment.Currency, order.State.TotalCents, order.State.Currency);
                await Save("payment_mismatch");
                return verdict;
            case PaymentVerdict.Recorded:
                // From the moment the payment is durable, the recovery sweep
                // (PaymentRecoveryGrain, by reminder) brings a paid order back
                // until its tickets are issued.
                await Save("paid");
                metrics.OrdersPaid.Add(1);
                if (late)
                {
                    logger.LogWarning("Order {OrderId} was paid after it was given up; issuing from fresh capacity if any is left", OrderId);
                }

                break;
        }

        // Also for a repeated event: an issuance that failed half-way goes on now, not at the next sweep.
        await CompleteIssuance();
        Activation.LeaveIfSettled(order);
        return verdict;
    }

    /// <summary>Issues a paid order's tickets; an unfulfillable order gives back what was issued and refunds.</summary>
    private async Task CompleteIssuance()
    {
        await Issue();
        if (order!.Status == OrderStatus.Unfulfillable)
        {
            await UndoIssuance();
            await RefundAutomatically();
        }
    }

    /// <summary>Asks each tier to confirm the order's tickets; all issue, or none stays issued and the money goes back.</summary>
    private async Task Issue()
    {
        if (order is not { Status: OrderStatus.Paid })
        {
            return;
        }

        string? gone = null;
        foreach (var item in order.State.Items)
        {
            // A hold the order let go of (or that lapsed) is no hold: the tier takes fresh capacity if it has it.
            var confirmed = await Tier(item.TierId).Confirm(item.HoldId ?? Guid.Empty, OrderId, item.Quantity);
            if (confirmed.Outcome != TierOutcome.Done)
            {
                gone = confirmed.Outcome == TierOutcome.SoldOut
                    ? $"tier {item.TierId} sold out before the payment arrived: refunded"
                    : $"tier {item.TierId} could not issue ({confirmed.Outcome}): refunded";
                break;
            }
        }

        if (gone is null)
        {
            order.Fulfil();
            await Save("fulfilled");
            metrics.OrdersFulfilled.Add(1);
            await EndTicketsPerFacts();
            return;
        }

        // The decision is durable before anything is undone, so a resumed saga never changes its mind.
        order.CapacityGone(gone);
        await Save("unfulfillable");
        metrics.OrdersUnfulfillable.Add(1);
        logger.LogError("Order {OrderId} is unfulfillable: {Reason}", OrderId, gone);
    }

    private async Task UndoIssuance()
    {
        foreach (var item in order!.State.Items)
        {
            await Tier(item.TierId).Void(OrderId, null, TicketEnd.Refunded);
        }
    }

    private async Task RefundAutomatically()
    {
        if (order is not { OwesAutomaticRefund: true })
        {
            return;
        }

        if (order.State.RefundedCents >= order.State.AmountPaidCents)
        {
            // All of it already went back (a refund made in Stripe's dashboard).
            order.AutomaticRefundCreated("refunded-before");
            await Save("automatic_refund_not_needed");
            return;
        }

        string refundId;
        try
        {
            refundId = await payments.RefundAsync(
                order.State.PaymentIntentId!, null, $"order-{OrderId}-unfulfillable",
                new Dictionary<string, string> { ["order_id"] = OrderId.ToString(), ["reason"] = "unfulfillable" },
                CancellationToken.None);
        }
        catch (Stripe.StripeException refunded) when (refunded.StripeError?.Code == "charge_already_refunded")
        {
            refundId = "refunded-before";
        }

        order.AutomaticRefundCreated(refundId);
        await Save("automatic_refund_created");
    }

    /// <summary>Ends the tickets that refunds and disputes have paid back or taken, and settles the status.</summary>
    private async Task EndTicketsPerFacts()
    {
        // Most orders: fulfilled and never refunded, nothing to read the tickets for.
        if (order is not { HasTickets: true } || order.FulfilledUntouched)
        {
            return;
        }

        var tickets = await repository.TicketsAsync(OrderId, CancellationToken.None);
        foreach (var group in order.TicketsToEnd(tickets).GroupBy(e => (e.Ticket.TierId, e.End)))
        {
            await Tier(group.Key.TierId).Void(OrderId, group.Select(e => e.Ticket.Id).ToList(), group.Key.End);
            foreach (var (ticket, _) in group)
            {
                // The gate's view of the ticket; the database refuses to admit it anyway.
                await GrainFactory.Reference<ITicketGrain>(ticket.Id).Refresh();
            }
        }

        if (order.Settle(tickets))
        {
            await Save("settled");
        }
    }

    private async Task Save(string action)
    {
        try
        {
            version = await repository.SaveAsync(order!.State, version, action, CancellationToken.None);
            waiters.Saved(order.State);
        }
        catch
        {
            // What is in memory is no longer what is stored: start again from
            // the database.
            Activation.Leave();
            throw;
        }
    }

    /// <summary>
    /// The holds already pay for an order. When it is the same buyer's unpaid
    /// order for exactly these holds (a checkout retried after a lost answer),
    /// that order is the answer; otherwise the buyer is told which order to
    /// pay or cancel.
    /// </summary>
    private async Task<OrderResult> ExistingOrderFor(PlaceOrder command)
    {
        var holding = await repository.OrdersHoldingAsync([.. command.HoldIds], CancellationToken.None);
        if (holding is [var existingId])
        {
            var existing = await GrainFactory.Reference<IOrderGrain>(existingId).Get();
            if (existing.Order is { Status: OrderStatus.AwaitingPayment or OrderStatus.PaymentFailed } same
                && same.UserId == command.UserId
                && same.Items.Select(i => i.HoldId).ToHashSet().SetEquals(command.HoldIds.Select(id => (Guid?)id)))
            {
                return existing;
            }
        }

        return holding.Count == 0
            // No order has them: one of them ended (released, replaced, expired) while the payment was being created.
            ? new OrderResult(OrderOutcome.HoldNotFound, null, "A hold ended while the order was being placed: hold again.")
            : new OrderResult(OrderOutcome.HoldInOrder, null,
                $"These holds already pay for order {string.Join(", ", holding)}: pay or cancel that order first.");
    }

    /// <summary>
    /// Reads the order on the first call that needs it (not on activation: a
    /// new order has nothing to read). Calls that interleave share the read.
    /// </summary>
    private Task Loaded() => loading is null or { IsFaulted: true } or { IsCanceled: true } ? loading = Load() : loading;

    private async Task Load()
    {
        // A placement that finished meanwhile is newer than this read.
        if (await repository.LoadAsync(OrderId, CancellationToken.None) is { } stored && order is null)
        {
            order = new OrderLifecycle(stored.Order);
            version = stored.Version;
            waiters.Saved(stored.Order);
            Activation.KeepUntilDeadline(order, Now, ExpireIfDue);
        }
    }

    private async Task CancelUnusedPayment(string paymentIntentId)
    {
        try
        {
            await payments.CancelPaymentAsync(paymentIntentId, CancellationToken.None);
        }
        catch (Exception failure) when (StripePayments.IsProviderFailure(failure))
        {
            // Unpaid and unpayable (its client secret was never given out): left as it is.
            logger.LogWarning(failure, "Order {OrderId}: Stripe could not cancel the unused payment {PaymentIntentId}", OrderId, paymentIntentId);
        }
    }

    private ITicketTierGrain Tier(Guid tierId) => GrainFactory.Reference<ITicketTierGrain>(tierId);

    private OrderResult Answer() => new(OrderOutcome.Done, order!.State.ToSnapshot());

    private OrderResult Missing()
    {
        if (order is null)
        {
            DeactivateOnIdle();
        }

        return new OrderResult(OrderOutcome.NotFound, null, $"No order {OrderId}.");
    }

    private static string Fingerprint(IEnumerable<Guid> ticketIds) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join(',', ticketIds))))[..16];
}
