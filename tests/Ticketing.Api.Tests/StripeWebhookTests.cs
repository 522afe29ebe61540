using System.Net;
using Microsoft.Extensions.Logging;
using Ticketing.StripeEmulator.Webhooks;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>The webhook: signatures, the inbox, duplicates, storms and events out of order.</summary>
public sealed class StripeWebhookTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task Webhook_DeliveredTwice_IssuesTheTicketsOnce()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10);
        var buyer = App.Buyer("buyer-twice-delivered");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        App.Stripe.Control.Succeed(intentId);
        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        var succeeded = App.Stripe.Control.Events.Single(e => e.Type == "payment_intent.succeeded" && e.Data.Object is Ticketing.StripeEmulator.Payments.PaymentIntent { Id: var id } && id == intentId);

        App.Stripe.Control.Resend(succeeded.Id);
        await App.Stripe.Control.WaitForDeliveriesAsync(attempts => attempts.Count(a => a.EventId == succeeded.Id && a.Succeeded) >= 2);

        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
        Assert.Equal(1L, await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events WHERE event_id = @id", ("id", succeeded.Id)));
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task Storm_OfDuplicateAndFreshIdWebhooks_ForOnePayment_IssuesExactlyTheOrderedTickets()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10, priceCents: 2500);
        var buyer = App.Buyer("buyer-storm");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 3);
        var client = App.CreateClient();

        // 60 deliveries at once: 20 ids, each three times, all saying the same payment succeeded.
        var responses = await Gate.Race(60, i => client.SendAsync(Checkout.SignedWebhook(
            Checkout.PaymentSucceededEvent($"evt_storm_{orderId:N}_{i % 20}", intentId, orderId, 7500))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        Assert.Equal(3, (await buyer.TicketsAsync(orderId)).Length);
        Assert.Equal(3L, await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE order_id = @id", ("id", orderId)));
        Assert.Equal(20L, await App.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.stripe_events WHERE event_id LIKE @prefix AND status = 'processed'", ("prefix", $"evt_storm_{orderId:N}_%")));
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task Emulator_DuplicatingEveryDelivery_StillIssuesOnce()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10);
        var buyer = App.Buyer("buyer-duplicated");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        App.Stripe.Control.ConfigureDelivery(new DeliverySettings(Duplicate: 4));
        try
        {
            App.Stripe.Control.Succeed(intentId);
            await buyer.WaitForStatusAsync(orderId, "fulfilled");
            await App.Stripe.Control.WaitForDeliveriesAsync(a => a.Count(d => d.EventType == "payment_intent.succeeded" && d.Succeeded) >= 5);
        }
        finally
        {
            App.Stripe.Control.ConfigureDelivery(DeliverySettings.Normal);
        }

        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task OutOfOrder_RefundBeforeSuccess_EndsRefunded()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10, priceCents: 1000);
        var buyer = App.Buyer("buyer-reordered");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        App.Stripe.Control.ConfigureDelivery(new DeliverySettings(Reorder: true));
        try
        {
            App.Stripe.Control.Succeed(intentId);
            // A refund made by hand in Stripe's dashboard, before the success reached us.
            await App.Stripe.Client().V1.Refunds.CreateAsync(new Stripe.RefundCreateOptions { PaymentIntent = intentId });
            App.Stripe.Control.Flush(); // newest first: charge.refunded, then payment_intent.succeeded
        }
        finally
        {
            App.Stripe.Control.ConfigureDelivery(DeliverySettings.Normal);
        }

        var order = await buyer.WaitForStatusAsync(orderId, "refunded");
        Assert.Equal(2000, order.GetProperty("refundedCents").GetInt64());
        Assert.All(await buyer.TicketsAsync(orderId), t => Assert.Equal("refunded", t.GetProperty("status").GetString()));
        var tier = await (await App.Organizer().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(10, tier.GetProperty("available").GetInt32());
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task OutOfOrder_FailureAfterSuccess_ChangesNothing()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10);
        var buyer = App.Buyer("buyer-late-failure");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 1);
        App.Stripe.Control.ConfigureDelivery(new DeliverySettings(Reorder: true));
        try
        {
            await Assert.ThrowsAsync<Stripe.StripeException>(() =>
                App.Stripe.Client().V1.PaymentIntents.ConfirmAsync(intentId, new Stripe.PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }));
            App.Stripe.Control.Succeed(intentId);
            App.Stripe.Control.Flush(); // the success arrives before the older failure
        }
        finally
        {
            App.Stripe.Control.ConfigureDelivery(DeliverySettings.Normal);
        }

        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        await App.Stripe.Control.WaitForDeliveriesAsync(a => a.Any(d => d.EventType == "payment_intent.payment_failed" && d.Succeeded));
        Assert.Equal("fulfilled", (await buyer.GetOrderAsync(orderId)).GetProperty("status").GetString());
        Assert.Single(await buyer.TicketsAsync(orderId));
    }

    [Fact]
    public async Task ForgedSignature_Returns400AndStoresNothing()
    {
        var payload = Checkout.PaymentSucceededEvent("evt_forged_" + Guid.NewGuid().ToString("N"), "pi_forged", Guid.NewGuid(), 100);

        var forged = await App.CreateClient().SendAsync(Checkout.SignedWebhook(payload, secret: "whsec_not_the_real_secret_0123456789"));
        var unsigned = await App.CreateClient().PostAsync("/api/webhooks/stripe", new StringContent(payload));

        await forged.AssertProblem(HttpStatusCode.BadRequest, "invalid-signature");
        await unsigned.AssertProblem(HttpStatusCode.BadRequest, "invalid-signature");
        Assert.Equal(0L, await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events WHERE event_id LIKE 'evt_forged_%'"));
    }

    [Fact]
    public async Task StaleSignature_Returns400AndStoresNothing()
    {
        var eventId = "evt_stale_" + Guid.NewGuid().ToString("N");
        var payload = Checkout.PaymentSucceededEvent(eventId, "pi_stale", Guid.NewGuid(), 100);

        var stale = await App.CreateClient().SendAsync(Checkout.SignedWebhook(payload, DateTimeOffset.UtcNow.AddSeconds(-301)));

        await stale.AssertProblem(HttpStatusCode.BadRequest, "invalid-signature");
        Assert.Equal(0L, await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)));
    }

    [Fact]
    public async Task AmountMismatch_IssuesNothing_AndSaysWhy_OnceHoweverOftenDelivered()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10, priceCents: 2500);
        var buyer = App.Buyer("buyer-mismatch");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);

        var response = await App.CreateClient().SendAsync(Checkout.SignedWebhook(
            Checkout.PaymentSucceededEvent("evt_mismatch_" + orderId.ToString("N"), intentId, orderId, 100)));
        // Delivered again after it was processed: the order sees a payment's success again, and knows this mismatch.
        var repeated = await App.CreateClient().SendAsync(Checkout.SignedWebhook(
            Checkout.PaymentSucceededEvent("evt_mismatch_" + orderId.ToString("N"), intentId, orderId, 100)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, repeated.StatusCode);
        Assert.Equal(1L, await App.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.audit_log WHERE entity = 'order' AND entity_id = @id AND action = 'payment_mismatch'", ("id", orderId.ToString())));
        var order = await buyer.GetOrderAsync(orderId);
        Assert.Equal("awaiting_payment", order.GetProperty("status").GetString());
        Assert.Contains("does not match", order.GetProperty("statusReason").GetString(), StringComparison.Ordinal);
        Assert.Empty(await buyer.TicketsAsync(orderId));
        Assert.Equal(0L, await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.tickets WHERE order_id = @id", ("id", orderId)));
    }

    [Fact]
    public async Task PaymentOfAnotherSystem_NamingNoOrderOfOurs_IsLeftAlone()
    {
        var stripe = App.Stripe.Client();
        var intent = await stripe.V1.PaymentIntents.CreateAsync(new Stripe.PaymentIntentCreateOptions
        {
            Amount = 2500,
            Currency = "eur",
            // Another system on the same Stripe account, with an order id of its own and no mark of ours.
            Metadata = new Dictionary<string, string> { ["order_id"] = Guid.NewGuid().ToString() },
        });

        App.Stripe.Control.Succeed(intent.Id);

        var succeeded = App.Stripe.Control.Events.Single(e => e.Type == "payment_intent.succeeded" && e.Data.Object is Ticketing.StripeEmulator.Payments.PaymentIntent { Id: var id } && id == intent.Id);
        await App.Stripe.Control.WaitForDeliveriesAsync(attempts => attempts.Any(a => a.EventId == succeeded.Id && a.Succeeded));
        Assert.Equal("processed", await App.Database.ScalarAsync("SELECT status FROM ticketing.stripe_events WHERE event_id = @id", ("id", succeeded.Id)));
        Assert.Equal(0, (await stripe.V1.PaymentIntents.GetAsync(intent.Id, new Stripe.PaymentIntentGetOptions { Expand = ["latest_charge"] })).LatestCharge?.AmountRefunded);
        Assert.Equal(0L, await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.payments_without_order WHERE payment_intent_id = @id", ("id", intent.Id)));
    }

    [Fact]
    public async Task PaymentForAnOrderThatDoesNotExist_IsRefunded_Once()
    {
        var stripe = App.Stripe.Client();
        var intent = await stripe.V1.PaymentIntents.CreateAsync(new Stripe.PaymentIntentCreateOptions
        {
            Amount = 2500,
            Currency = "eur",
            // Made by this deployment (its mark), for an order that was never stored.
            Metadata = new Dictionary<string, string> { ["order_id"] = Guid.NewGuid().ToString(), ["ticketing_service"] = App.Database.Name },
        });

        App.Stripe.Control.Succeed(intent.Id);

        var refunded = await Eventually.Value(
            async () => (await stripe.V1.PaymentIntents.GetAsync(intent.Id, new Stripe.PaymentIntentGetOptions { Expand = ["latest_charge"] })).LatestCharge?.AmountRefunded ?? 0,
            amount => amount == 2500,
            TimeSpan.FromSeconds(20));
        Assert.Equal(2500, refunded);
        var succeeded = App.Stripe.Control.Events.Single(e => e.Type == "payment_intent.succeeded" && e.Data.Object is Ticketing.StripeEmulator.Payments.PaymentIntent { Id: var id } && id == intent.Id);
        await App.Stripe.Control.WaitForDeliveriesAsync(attempts => attempts.Any(a => a.EventId == succeeded.Id && a.Succeeded));
        // Delivered again: the refund's idempotency key is the payment's, so nothing more goes back.
        App.Stripe.Control.Resend(succeeded.Id);
        await App.Stripe.Control.WaitForDeliveriesAsync(attempts => attempts.Count(a => a.EventId == succeeded.Id && a.Succeeded) >= 2);
        Assert.Equal(2500, (await stripe.V1.PaymentIntents.GetAsync(intent.Id, new Stripe.PaymentIntentGetOptions { Expand = ["latest_charge"] })).LatestCharge?.AmountRefunded);

        // Noted once, with its refund, and the on-call engineer is told.
        Assert.Equal(1L, await App.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.payments_without_order WHERE payment_intent_id = @id AND refund_id IS NOT NULL AND amount_cents = 2500 AND event_id = @event",
            ("id", intent.Id), ("event", succeeded.Id)));
        var alerts = await (await App.Operator().GetAsync("/api/ops/alerts")).AssertJson(HttpStatusCode.OK);
        var alert = alerts.EnumerateArray().Single(a => a.GetProperty("name").GetString() == "payment_without_order");
        Assert.True(alert.GetProperty("firing").GetBoolean());
        // at least this one: other tests of the class also pay orders that do not exist
        Assert.True(alert.GetProperty("value").GetDouble() >= 1);
        Assert.Equal("P1", alert.GetProperty("severity").GetString());
    }

    [Fact]
    public async Task CancelledPaymentOfAnOrderNeverPlaced_IsNoWarning_AFailedOneIs()
    {
        // Place cancels the payment of an order it could not store: expected, and
        // thousands of them in a contended rush must not bury the warnings that matter.
        var stripe = App.Stripe.Client();
        var neverPlaced = Guid.NewGuid();
        var cancelled = await stripe.V1.PaymentIntents.CreateAsync(new Stripe.PaymentIntentCreateOptions
        {
            Amount = 2500,
            Currency = "eur",
            Metadata = new Dictionary<string, string> { ["order_id"] = neverPlaced.ToString() },
        });
        await stripe.V1.PaymentIntents.CancelAsync(cancelled.Id);
        var unknown = Guid.NewGuid();
        var declined = await stripe.V1.PaymentIntents.CreateAsync(new Stripe.PaymentIntentCreateOptions
        {
            Amount = 2500,
            Currency = "eur",
            Metadata = new Dictionary<string, string> { ["order_id"] = unknown.ToString() },
        });
        await Assert.ThrowsAsync<Stripe.StripeException>(() => stripe.V1.PaymentIntents.ConfirmAsync(
            declined.Id, new Stripe.PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }));

        var cancelledEvent = await App.Stripe.Control.WaitForDeliveredAsync("payment_intent.canceled", cancelled.Id);
        var failedEvent = await App.Stripe.Control.WaitForDeliveredAsync("payment_intent.payment_failed", declined.Id);
        foreach (var eventId in new[] { cancelledEvent.Id, failedEvent.Id })
        {
            await Eventually.Value(
                () => App.Database.ScalarAsync("SELECT status FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)),
                status => (string?)status == "processed",
                TimeSpan.FromSeconds(10));
        }

        Assert.DoesNotContain(App.Logs, entry => entry.Level >= LogLevel.Warning && entry.Message.Contains(neverPlaced.ToString(), StringComparison.Ordinal));
        Assert.Contains(App.Logs, entry => entry.Level == LogLevel.Warning && entry.Message.Contains(unknown.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task EventForNoOrder_IsStoredAndAnswered200()
    {
        var eventId = "evt_stranger_" + Guid.NewGuid().ToString("N");

        var response = await App.CreateClient().SendAsync(Checkout.SignedWebhook(
            Checkout.PaymentSucceededEvent(eventId, "pi_stranger", Guid.NewGuid(), 100)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("processed", await App.Database.ScalarAsync("SELECT status FROM ticketing.stripe_events WHERE event_id = @id", ("id", eventId)));
    }
}
