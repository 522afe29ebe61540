using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Ticketing.Grains.Tiers;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>Checkout over HTTP, real PostgreSQL, payments through the Stripe emulator.</summary>
public sealed class OrdersApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task PlaceOrder_CreatesItsPaymentIntent_ForTheTotal_NamedAfterTheOrder_OnceForItsKey()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10, priceCents: 2500);
        var (orderId, intentId) = await App.Buyer("buyer-intent").OrderAsync(tierId, 2);

        var intent = await new Stripe.PaymentIntentService(App.Stripe.Client()).GetAsync(intentId);
        Assert.Equal(5000, intent.Amount);
        Assert.Equal("eur", intent.Currency);
        Assert.Equal(orderId.ToString(), intent.Metadata["order_id"]);
        Assert.Equal(App.Database.Name, intent.Metadata["ticketing_service"]); // this deployment's mark
        Assert.Equal($"Tickets, order {orderId}", intent.Description);

        // A step retried after a lost answer asks again with the same key: the same payment.
        var again = await new Ticketing.Grains.Payments.StripePayments(App.Stripe.Client(), new Ticketing.Grains.Payments.PaymentsOrigin(App.Database.Name)).CreatePaymentAsync(orderId, 5000, "eur", CancellationToken.None);
        Assert.Equal(intentId, again.Id);
        Assert.Equal(intent.ClientSecret, again.ClientSecret);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"id":"pi_1"}""")]
    [InlineData("""{"client_secret":"pi_1_secret_x"}""")]
    public void PaymentIntentAnswer_WithoutIdOrSecret_IsAProviderFailure(string answer)
    {
        var failure = Assert.Throws<Stripe.StripeException>(() => Ticketing.Grains.Payments.CreatedPayment.Read(answer));
        Assert.True(Ticketing.Grains.Payments.StripePayments.IsProviderFailure(failure));
    }

    [Fact]
    public async Task Purchase_WhenPaid_IssuesTheTickets()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 10, priceCents: 2500);
        var buyer = App.Buyer("buyer-purchase");
        var holdId = await buyer.HoldAsync(tierId, 3);

        var response = await buyer.PostJson("/api/orders", new { holdIds = new[] { holdId }, contact = new { email = "a@example.com", name = "A" } });

        var order = await response.AssertJson(HttpStatusCode.Created);
        var orderId = order.GetProperty("id").GetGuid();
        Assert.Equal($"/api/orders/{orderId}", response.Headers.Location?.ToString());
        Assert.Equal("awaiting_payment", order.GetProperty("status").GetString());
        Assert.Equal(7500, order.GetProperty("totalCents").GetInt64());
        Assert.Equal("eur", order.GetProperty("currency").GetString());
        var item = Assert.Single(order.GetProperty("items").EnumerateArray());
        Assert.Equal(3, item.GetProperty("quantity").GetInt32());
        Assert.Equal(2500, item.GetProperty("unitPriceCents").GetInt64());
        var payment = order.GetProperty("payment");
        Assert.Equal("stripe", payment.GetProperty("provider").GetString());
        var intentId = payment.GetProperty("paymentIntentId").GetString()!;
        Assert.StartsWith(intentId + "_secret_", payment.GetProperty("clientSecret").GetString(), StringComparison.Ordinal);

        App.Stripe.Control.Succeed(intentId);

        var paid = await buyer.WaitForStatusAsync(orderId, "fulfilled");
        Assert.True(paid.TryGetProperty("paidAt", out var paidAt) && paidAt.ValueKind == JsonValueKind.String);
        var tickets = await buyer.TicketsAsync(orderId);
        Assert.Equal([1, 2, 3], tickets.Select(t => t.GetProperty("sequenceNumber").GetInt32()).Order());
        Assert.All(tickets, t =>
        {
            Assert.Equal("issued", t.GetProperty("status").GetString());
            Assert.True(t.GetProperty("qrToken").GetString()!.Length >= 22);
        });
        var tier = await (await App.Organizer().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(3, tier.GetProperty("issued").GetInt32());
        Assert.Equal(0, tier.GetProperty("reserved").GetInt32());
        var hold = await (await buyer.GetAsync($"/api/holds/{holdId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("consumed", hold.GetProperty("status").GetString());
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task Purchase_OfTwoTiers_IssuesEachTiersTickets()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 2500);
        var vipId = await TierSetup.AddSiblingAsync(App, tierId, capacity: 2, priceCents: 9000);
        var buyer = App.Buyer("buyer-two-tiers");
        var order = await buyer.PlaceOrderAsync(await buyer.HoldAsync(tierId, 2), await buyer.HoldAsync(vipId, 1));
        var orderId = order.GetProperty("id").GetGuid();
        Assert.Equal(2 * 2500 + 9000, order.GetProperty("totalCents").GetInt64());

        App.Stripe.Control.Succeed(order.GetProperty("payment").GetProperty("paymentIntentId").GetString()!);

        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        var tickets = await buyer.TicketsAsync(orderId);
        Assert.Equal(2, tickets.Count(t => t.GetProperty("tierId").GetGuid() == tierId));
        Assert.Equal(1, tickets.Count(t => t.GetProperty("tierId").GetGuid() == vipId));
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task PlaceOrder_WithHoldsOfTwoEvents_Returns422()
    {
        var buyer = App.Buyer("buyer-two-events");
        var first = await buyer.HoldAsync(await TierSetup.CreateAsync(App, capacity: 5), 1);
        var second = await buyer.HoldAsync(await TierSetup.CreateAsync(App, capacity: 5), 1);

        var response = await buyer.PostJson("/api/orders", new { holdIds = new[] { first, second }, contact = new { email = "a@example.com", name = "A" } });

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
    }

    [Fact]
    public async Task LastTicket_TwoBuyers_OneWins()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 1);
        var buyers = new[] { App.Buyer("last-a"), App.Buyer("last-b") };

        var attempts = await Gate.Race(2, i => buyers[i].PostJson("/api/holds", new { tierId, quantity = 1 }));

        Assert.Single(attempts, r => r.StatusCode == HttpStatusCode.Created);
        await attempts.Single(r => r.StatusCode != HttpStatusCode.Created).AssertProblem(HttpStatusCode.Conflict, "sold-out");
        var winner = buyers[Array.FindIndex(attempts, r => r.StatusCode == HttpStatusCode.Created)];
        var holdId = (await attempts.Single(r => r.StatusCode == HttpStatusCode.Created).AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var order = await winner.PlaceOrderAsync(holdId);
        var orderId = order.GetProperty("id").GetGuid();
        App.Stripe.Control.Succeed(order.GetProperty("payment").GetProperty("paymentIntentId").GetString()!);

        await winner.WaitForStatusAsync(orderId, "fulfilled");
        Assert.Single(await winner.TicketsAsync(orderId));
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task PaymentFailure_ThenSuccess_IssuesTheTickets()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-declined");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        var stripe = App.Stripe.Client();

        var declined = await Assert.ThrowsAsync<Stripe.StripeException>(() =>
            stripe.V1.PaymentIntents.ConfirmAsync(intentId, new Stripe.PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }));
        Assert.Equal("card_declined", declined.StripeError.Code);
        await buyer.WaitForStatusAsync(orderId, "payment_failed");

        await stripe.V1.PaymentIntents.ConfirmAsync(intentId, new Stripe.PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" });

        await buyer.WaitForStatusAsync(orderId, "fulfilled");
        Assert.Equal(2, (await buyer.TicketsAsync(orderId)).Length);
    }

    [Fact]
    public async Task Cancel_BeforePayment_CancelsThePayment_AndLeavesTheHoldWithTheBuyer()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-cancel");
        var holdId = await buyer.HoldAsync(tierId, 2);
        var order = await buyer.PlaceOrderAsync(holdId);
        var orderId = order.GetProperty("id").GetGuid();

        var cancelled = await (await buyer.PostAsync($"/api/orders/{orderId}/cancel", null)).AssertJson(HttpStatusCode.OK);

        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var intent = App.Stripe.Control.Events.Last(e => e.Type == "payment_intent.canceled");
        Assert.NotNull(intent);
        var hold = await (await buyer.GetAsync($"/api/holds/{holdId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("active", hold.GetProperty("status").GetString());
        // The hold is free to check out again.
        var again = await buyer.PlaceOrderAsync(holdId);
        Assert.Equal("awaiting_payment", again.GetProperty("status").GetString());
        await (await buyer.PostAsync($"/api/orders/{orderId}/cancel", null)).AssertProblem(HttpStatusCode.Conflict, "order-state");
    }

    [Fact]
    public async Task Cancel_AfterPayment_Returns409AndChangesNothing()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-cancel-late");
        var orderId = await App.PaidOrderAsync(buyer, tierId, 1);

        await (await buyer.PostAsync($"/api/orders/{orderId}/cancel", null)).AssertProblem(HttpStatusCode.Conflict, "order-state");

        Assert.Equal("fulfilled", (await buyer.GetOrderAsync(orderId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task PlaceOrder_AgainWithTheSameHolds_AnswersTheSameOrder()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-retry");
        var holdId = await buyer.HoldAsync(tierId, 1);
        var first = await buyer.PlaceOrderAsync(holdId);

        var again = await buyer.PlaceOrderAsync(holdId);

        Assert.Equal(first.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid());
        Assert.Equal(first.GetProperty("payment").GetProperty("paymentIntentId").GetString(), again.GetProperty("payment").GetProperty("paymentIntentId").GetString());
    }

    [Fact]
    public async Task PlaceOrder_ManyAtOnceWithTheSameHold_StoresOneOrder_AnswersItToAll_AndCancelsTheUnusedPayments()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-double-click");
        var holdId = await buyer.HoldAsync(tierId, 1);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var placing = Enumerable.Range(0, 8).Select(async _ =>
        {
            await start.Task;
            return await buyer.PostJson("/api/orders", new { holdIds = new[] { holdId }, contact = new { email = "a@example.com", name = "A" } });
        }).ToArray();
        start.SetResult();
        var answers = await Task.WhenAll(placing);

        var orderIds = new HashSet<Guid>();
        foreach (var answer in answers)
        {
            orderIds.Add((await answer.AssertJson(HttpStatusCode.Created)).GetProperty("id").GetGuid());
        }

        var orderId = Assert.Single(orderIds);
        Assert.Equal(1L, await App.Database.ScalarAsync($"SELECT count(*) FROM ticketing.order_items WHERE hold_id = '{holdId}'"));
        var stored = (string)(await App.Database.ScalarAsync($"SELECT stripe_payment_intent_id FROM ticketing.orders WHERE id = '{orderId}'"))!;

        // Every payment created for an order that was not stored (the losers of
        // this race) was cancelled: nobody holds its client secret.
        var stripe = App.Stripe.Client();
        var created = await new Stripe.EventService(stripe).ListAsync(new Stripe.EventListOptions { Type = "payment_intent.created", Limit = 100 });
        var unused = 0;
        foreach (var intent in created.Data.Select(e => (Stripe.PaymentIntent)e.Data.Object).Where(intent => intent.Id != stored))
        {
            if (await App.Database.ScalarAsync($"SELECT id FROM ticketing.orders WHERE id = '{intent.Metadata["order_id"]}'") is null)
            {
                unused++;
                Assert.Equal("canceled", (await new Stripe.PaymentIntentService(stripe).GetAsync(intent.Id)).Status);
            }
        }

        Assert.True(unused <= placing.Length - 1);
    }

    [Fact]
    public async Task GetOrder_WaitingWhileAwaitingPayment_AnswersOnlyOnceThePaymentIsIn()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-waiting");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        using var waits = new MetricCollector<long>(App.Services.GetRequiredService<IMeterFactory>(), TierMetrics.MeterName, "order_waits");

        var waiting = buyer.GetAsync($"/api/orders/{orderId}?waitWhile=awaiting_payment");
        // The request is waiting on the order itself, before the payment comes in.
        await waits.WaitForMeasurementsAsync(minCount: 1, TimeSpan.FromSeconds(20));
        Assert.False(waiting.IsCompleted);
        App.Stripe.Control.Succeed(intentId);

        var order = await (await waiting).AssertJson(HttpStatusCode.OK);
        Assert.NotEqual("awaiting_payment", order.GetProperty("status").GetString());
        if (order.GetProperty("status").GetString() == "paid")
        {
            order = await (await buyer.GetAsync($"/api/orders/{orderId}?waitWhile=paid")).AssertJson(HttpStatusCode.OK);
        }

        Assert.Equal("fulfilled", order.GetProperty("status").GetString());
    }

    [Fact]
    public async Task GetOrder_WaitingWhileUnpaidOrPaid_AnswersOnceTheTicketsAreIssued()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-waiting-twice");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 1);

        var waiting = buyer.GetAsync($"/api/orders/{orderId}?waitWhile=awaiting_payment,%20paid");
        App.Stripe.Control.Succeed(intentId);

        var order = await (await waiting).AssertJson(HttpStatusCode.OK);
        Assert.Equal("fulfilled", order.GetProperty("status").GetString());
        Assert.Single(await buyer.TicketsAsync(orderId));
    }

    [Fact]
    public async Task GetOrder_WaitingWhileNothingHappens_AnswersTheOrderAsItIsAfterTheWait()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-patient");
        var (orderId, _) = await buyer.OrderAsync(tierId, 1);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var order = await (await buyer.GetAsync($"/api/orders/{orderId}?waitWhile=awaiting_payment&waitSeconds=1")).AssertJson(HttpStatusCode.OK);

        Assert.Equal("awaiting_payment", order.GetProperty("status").GetString());
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.9), started.Elapsed.ToString());
        var other = await (await buyer.GetAsync($"/api/orders/{orderId}?waitWhile=paid")).AssertJson(HttpStatusCode.OK);
        Assert.Equal("awaiting_payment", other.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("waitWhile=shipped", "waitWhile")]
    [InlineData("waitWhile=paid,,fulfilled", "waitWhile")]
    [InlineData("waitWhile=paid&waitSeconds=0", "waitSeconds")]
    [InlineData("waitWhile=paid&waitSeconds=21", "waitSeconds")]
    [InlineData("waitSeconds=5", "waitWhile")]
    public async Task GetOrder_WithABadWait_Returns422(string query, string field)
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-bad-wait");
        var (orderId, _) = await buyer.OrderAsync(tierId, 1);

        var problem = await (await buyer.GetAsync($"/api/orders/{orderId}?{query}")).AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task GetOrder_WaitingOnAnotherBuyersOrder_Returns404AtOnce()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var (orderId, _) = await App.Buyer("buyer-owner").OrderAsync(tierId, 1);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var response = await App.Buyer("buyer-snoop").GetAsync($"/api/orders/{orderId}?waitWhile=awaiting_payment&waitSeconds=10");

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
        // Not after the wait: how long the answer takes must not tell that the order exists.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), started.Elapsed.ToString());
    }

    [Fact]
    public async Task PlaceOrder_WithAHoldAlreadyInAnotherOrder_Returns409_AndTheHoldCannotBeReleased()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var otherTierId = await TierSetup.AddSiblingAsync(App, tierId, capacity: 5);
        var buyer = App.Buyer("buyer-twice");
        var holdId = await buyer.HoldAsync(tierId, 1);
        var first = await buyer.PlaceOrderAsync(holdId);
        var otherHoldId = await buyer.HoldAsync(otherTierId, 1);

        var second = await buyer.PostJson("/api/orders", new { holdIds = new[] { holdId, otherHoldId }, contact = new { email = "a@example.com", name = "A" } });

        var problem = await second.AssertProblem(HttpStatusCode.Conflict, "hold-in-order");
        Assert.Contains(first.GetProperty("id").GetGuid().ToString(), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await buyer.DeleteAsync($"/api/holds/{holdId}")).AssertProblem(HttpStatusCode.Conflict, "hold-in-order");
    }

    [Fact]
    public async Task PlaceOrder_WithAnotherBuyersHold_Returns422AndStoresNothing()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var holdId = await App.Buyer("owner-of-hold").HoldAsync(tierId, 1);
        var before = await OrderCount();

        var response = await App.Buyer("thief").PostJson("/api/orders", new { holdIds = new[] { holdId }, contact = new { email = "t@example.com", name = "T" } });

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "hold-not-found");
        Assert.Equal(before, await OrderCount());
    }

    [Theory]
    [InlineData("""{"contact":{"email":"a@example.com","name":"A"}}""")]
    [InlineData("""{"holdIds":[],"contact":{"email":"a@example.com","name":"A"}}""")]
    [InlineData("""{"holdIds":["0b5a6a8e-5d2c-4f57-a3d1-2f7a9b0c1d2e"],"contact":{"email":"not-an-address","name":"A"}}""")]
    [InlineData("""{"holdIds":["0b5a6a8e-5d2c-4f57-a3d1-2f7a9b0c1d2e"]}""")]
    [InlineData("""{"holdIds":"nope"}""")]
    public async Task PlaceOrder_WithBadInput_Returns422AndStoresNothing(string body)
    {
        var before = await OrderCount();

        var response = await App.Buyer("buyer-bad-input").PostRaw("/api/orders", body);

        await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(before, await OrderCount());
    }

    [Fact]
    public async Task PlaceOrder_WhenStripeIsDown_Returns503_StoresNothing_AndTheHoldStaysUsable()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var buyer = App.Buyer("buyer-stripe-down");
        var holdId = await buyer.HoldAsync(tierId, 1);
        var before = await OrderCount();
        App.StripeOutage = request => request.RequestUri!.AbsolutePath == "/v1/payment_intents";
        HttpResponseMessage response;
        try
        {
            response = await buyer.PostJson("/api/orders", new { holdIds = new[] { holdId }, contact = new { email = "a@example.com", name = "A" } });
        }
        finally
        {
            App.StripeOutage = null;
        }

        await response.AssertProblem(HttpStatusCode.ServiceUnavailable, "payment-provider-unavailable");
        Assert.Equal(before, await OrderCount());
        var order = await buyer.PlaceOrderAsync(holdId);
        Assert.Equal("awaiting_payment", order.GetProperty("status").GetString());
        Assert.StartsWith("pi_", order.GetProperty("payment").GetProperty("paymentIntentId").GetString());
    }

    [Fact]
    public async Task PlaceOrder_BelowStripesMinimumCharge_Returns422PaymentRefused_StoresNothing_AndTheHoldStaysTheBuyers()
    {
        // 30 euro cents: Stripe charges at least 50. Asking again would be refused again, so not a 503 "try again".
        var tierId = await TierSetup.CreateAsync(App, capacity: 5, priceCents: 30);
        var buyer = App.Buyer("buyer-below-minimum");
        var holdId = await buyer.HoldAsync(tierId, 1);
        var before = await OrderCount();

        var response = await buyer.PostJson("/api/orders", new { holdIds = new[] { holdId }, contact = new { email = "a@example.com", name = "A" } });

        var problem = await response.AssertProblem(HttpStatusCode.UnprocessableEntity, "payment-refused");
        Assert.Contains("at least 50", problem.GetProperty("detail").GetString());
        Assert.Equal(before, await OrderCount());
        Assert.Equal("active", await App.Database.ScalarAsync("SELECT status FROM ticketing.ticket_holds WHERE id = @id", ("id", holdId)));
    }

    [Fact]
    public async Task Buyer_CannotReadOrCancelAnotherBuyersOrder()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 5);
        var orderId = await App.PaidOrderAsync(App.Buyer("private-owner"), tierId, 1);
        var other = App.Buyer("private-other");

        await (await other.GetAsync($"/api/orders/{orderId}")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await other.GetAsync($"/api/orders/{orderId}/tickets")).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await other.PostAsync($"/api/orders/{orderId}/cancel", null)).AssertProblem(HttpStatusCode.NotFound, "not-found");
        await (await other.GetAsync($"/api/orders/{Guid.NewGuid()}")).AssertProblem(HttpStatusCode.NotFound, "not-found");

        // The organiser sees the order and its tickets, but neither the client secret nor the QR codes.
        var organizer = App.Organizer();
        var seen = await organizer.GetOrderAsync(orderId);
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("payment").GetProperty("clientSecret").ValueKind);
        Assert.All(await organizer.TicketsAsync(orderId), t => Assert.Equal(JsonValueKind.Null, t.GetProperty("qrToken").ValueKind));
    }

    [Fact]
    public async Task Refund_OfAllTickets_MarksThemRefunded_RevokesTheirCodes_AndReturnsCapacity()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 4, priceCents: 1000);
        var buyer = App.Buyer("buyer-refund-all");
        var orderId = await App.PaidOrderAsync(buyer, tierId, 2);

        var accepted = await (await App.Organizer().PostJson($"/api/orders/{orderId}/refund", new { })).AssertJson(HttpStatusCode.Accepted);
        Assert.Equal(orderId, accepted.GetProperty("id").GetGuid());

        var refunded = await buyer.WaitForStatusAsync(orderId, "refunded");
        Assert.Equal(2000, refunded.GetProperty("refundedCents").GetInt64());
        Assert.All(await buyer.TicketsAsync(orderId), t =>
        {
            Assert.Equal("refunded", t.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, t.GetProperty("qrToken").ValueKind);
        });
        var tier = await (await App.Organizer().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK);
        Assert.Equal(0, tier.GetProperty("issued").GetInt32());
        Assert.Equal(4, tier.GetProperty("available").GetInt32());
        Assert.Equal(0L, await App.Database.ScalarAsync(
            "SELECT count(*) FROM ticketing.ticket_tokens k JOIN ticketing.tickets t ON t.id = k.ticket_id WHERE t.order_id = @id AND k.status = 'active'",
            ("id", orderId)));
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task Refund_Answers202WithTheRefundPending_UntilStripeReportsIt()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 4, priceCents: 1000);
        var buyer = App.Buyer("buyer-refund-pending");
        var orderId = await App.PaidOrderAsync(buyer, tierId, 2);
        var chosen = (await buyer.TicketsAsync(orderId))[0].GetProperty("id").GetGuid();

        var accepted = await (await App.Organizer().PostJson($"/api/orders/{orderId}/refund", new { ticketIds = new[] { chosen } }))
            .AssertJson(HttpStatusCode.Accepted);

        Assert.Equal(1000, accepted.GetProperty("refundPendingCents").GetInt64());
        Assert.Equal([chosen], accepted.GetProperty("refundPendingTicketIds").EnumerateArray().Select(id => id.GetGuid()));
        Assert.Equal(0, accepted.GetProperty("refundedCents").GetInt64());
        var done = await buyer.WaitForStatusAsync(orderId, "partially_refunded");
        Assert.Equal(1000, done.GetProperty("refundedCents").GetInt64());
        Assert.Equal(0, done.GetProperty("refundPendingCents").GetInt64());
        Assert.Empty(done.GetProperty("refundPendingTicketIds").EnumerateArray());
    }

    [Fact]
    public async Task Refund_OfOneTicket_GivesPartiallyRefunded()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 4, priceCents: 1000);
        var buyer = App.Buyer("buyer-refund-one");
        var orderId = await App.PaidOrderAsync(buyer, tierId, 3);
        var chosen = (await buyer.TicketsAsync(orderId))[1].GetProperty("id").GetGuid();

        await (await App.Organizer().PostJson($"/api/orders/{orderId}/refund", new { ticketIds = new[] { chosen } })).AssertJson(HttpStatusCode.Accepted);

        var order = await buyer.WaitForStatusAsync(orderId, "partially_refunded");
        Assert.Equal(1000, order.GetProperty("refundedCents").GetInt64());
        var tickets = await buyer.TicketsAsync(orderId);
        Assert.Equal("refunded", tickets.Single(t => t.GetProperty("id").GetGuid() == chosen).GetProperty("status").GetString());
        Assert.Equal(2, tickets.Count(t => t.GetProperty("status").GetString() == "issued"));
        // The same ticket cannot be refunded twice.
        await (await App.Organizer().PostJson($"/api/orders/{orderId}/refund", new { ticketIds = new[] { chosen } }))
            .AssertProblem(HttpStatusCode.UnprocessableEntity, "validation");
        await App.Database.AssertConsistentAsync();
    }

    [Fact]
    public async Task Refund_WhenStripeIsDown_Returns503_AndTheTicketsStayRefundable()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 4, priceCents: 1000);
        var buyer = App.Buyer("buyer-refund-outage");
        var orderId = await App.PaidOrderAsync(buyer, tierId, 2);
        App.StripeOutage = request => request.RequestUri!.AbsolutePath == "/v1/refunds";
        HttpResponseMessage refused;
        try
        {
            refused = await App.Organizer().PostJson($"/api/orders/{orderId}/refund", new { });
        }
        finally
        {
            App.StripeOutage = null;
        }

        await refused.AssertProblem(HttpStatusCode.ServiceUnavailable, "payment-provider-unavailable");
        Assert.Equal("fulfilled", (await buyer.GetOrderAsync(orderId)).GetProperty("status").GetString());

        await (await App.Organizer().PostJson($"/api/orders/{orderId}/refund", new { })).AssertJson(HttpStatusCode.Accepted);
        await buyer.WaitForStatusAsync(orderId, "refunded");
    }

    [Fact]
    public async Task Refund_ByABuyer_Returns403()
    {
        var response = await App.Buyer("buyer-no-refund").PostJson($"/api/orders/{Guid.NewGuid()}/refund", new { });

        await response.AssertProblem(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Dispute_Opened_ThenLost_VoidsTheTickets()
    {
        var tierId = await TierSetup.CreateAsync(App, capacity: 4);
        var buyer = App.Buyer("buyer-dispute");
        var (orderId, intentId) = await buyer.OrderAsync(tierId, 2);
        App.Stripe.Control.Succeed(intentId);
        await buyer.WaitForStatusAsync(orderId, "fulfilled");

        var dispute = App.Stripe.Control.OpenDispute(intentId);
        await buyer.WaitForStatusAsync(orderId, "disputed");
        Assert.All(await buyer.TicketsAsync(orderId), t => Assert.Equal("issued", t.GetProperty("status").GetString()));

        App.Stripe.Control.CloseDispute(dispute.Id, "lost");
        // Once a second: the buyer's reads of orders and their tickets are rate-limited (a token a second).
        await Eventually.Value(
            () => buyer.TicketsAsync(orderId),
            tickets => tickets.All(t => t.GetProperty("status").GetString() == "voided"),
            TimeSpan.FromSeconds(20),
            TimeSpan.FromSeconds(1));
        Assert.All(await buyer.TicketsAsync(orderId), t => Assert.Equal("voided", t.GetProperty("status").GetString()));
        await App.Database.AssertConsistentAsync();
    }

    private async Task<long> OrderCount() => (long)(await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.orders"))!;
}
