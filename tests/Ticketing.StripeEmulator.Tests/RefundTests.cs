using System.Net;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

public sealed class RefundTests : EmulatorTest
{
    [Fact]
    public async Task Refund_ByPaymentIntentWithoutAmount_RefundsAllAndEmitsChargeRefunded()
    {
        var paid = await PaidIntentAsync(amount: 5000, orderId: "order-refund-all");

        var refund = await Refunds.CreateAsync(new RefundCreateOptions
        {
            PaymentIntent = paid.Id,
            Reason = "requested_by_customer",
            Metadata = new Dictionary<string, string> { ["refund_request"] = "r-1" },
        });

        Assert.StartsWith("re_", refund.Id, StringComparison.Ordinal);
        Assert.Equal(5000, refund.Amount);
        Assert.Equal("succeeded", refund.Status);
        Assert.Equal(paid.LatestChargeId, refund.ChargeId);
        Assert.Equal(paid.Id, refund.PaymentIntentId);
        Assert.Equal("usd", refund.Currency);
        Assert.Equal("requested_by_customer", refund.Reason);
        Assert.Equal("r-1", refund.Metadata["refund_request"]);

        var charge = await Charges.GetAsync(paid.LatestChargeId);
        Assert.Equal(5000, charge.AmountRefunded);
        Assert.True(charge.Refunded);
        Assert.Equal(refund.Id, Assert.Single(charge.Refunds.Data).Id);

        await Receiver.WaitForEventAsync("refund.created", refund.Id);
        await Receiver.WaitForEventAsync("charge.refunded", charge.Id);
        var emitted = (Charge)Receiver.EventsOf("charge.refunded").Single().Data.Object;
        Assert.Equal(5000, emitted.AmountRefunded);
        Assert.True(emitted.Refunded);
        Assert.Equal("order-refund-all", emitted.Metadata["order_id"]);
        Assert.Equal(refund.Id, Assert.Single(emitted.Refunds.Data).Id);
    }

    [Fact]
    public async Task Refund_PartialThenTheRest_UpdatesTheChargeEachTime()
    {
        var paid = await PaidIntentAsync(amount: 3000);

        var first = await Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 1000 });
        var afterFirst = await Charges.GetAsync(paid.LatestChargeId);
        var rest = await Refunds.CreateAsync(new RefundCreateOptions { Charge = paid.LatestChargeId });
        var afterRest = await Charges.GetAsync(paid.LatestChargeId);

        Assert.Equal(1000, first.Amount);
        Assert.Equal(1000, afterFirst.AmountRefunded);
        Assert.False(afterFirst.Refunded);
        Assert.Equal(2000, rest.Amount);
        Assert.Equal(3000, afterRest.AmountRefunded);
        Assert.True(afterRest.Refunded);
        Assert.Equal([rest.Id, first.Id], afterRest.Refunds.Data.Select(r => r.Id));
        await Receiver.WaitForAsync(all => all.Count(r => r.Event.Type == "charge.refunded") == 2);
    }

    [Fact]
    public async Task Refund_MoreThanRemaining_Returns400AndRefundsNothing()
    {
        var paid = await PaidIntentAsync(amount: 2000);
        await Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 1500 });

        var refused = await RefusedAsync(() =>
            Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 600 }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("invalid_request_error", refused.StripeError.Type);
        Assert.Equal("amount", refused.StripeError.Param);
        Assert.Equal(1500, (await Charges.GetAsync(paid.LatestChargeId)).AmountRefunded);
    }

    [Fact]
    public async Task Refund_WhenFullyRefunded_Returns400AlreadyRefunded()
    {
        var paid = await PaidIntentAsync();
        await Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id });

        var refused = await RefusedAsync(() => Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id }));

        Assert.Equal("charge_already_refunded", refused.StripeError.Code);
    }

    [Fact]
    public async Task Refund_WhenNotPaid_Returns400()
    {
        var intent = await CreateIntentAsync();

        var refused = await RefusedAsync(() => Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = intent.Id }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("payment_intent", refused.StripeError.Param);
    }

    [Fact]
    public async Task Refund_ForUnknownCharge_Returns404ResourceMissing()
    {
        var refused = await RefusedAsync(() => Refunds.CreateAsync(new RefundCreateOptions { Charge = "ch_doesnotexist" }));

        Assert.Equal(HttpStatusCode.NotFound, refused.HttpStatusCode);
        Assert.Equal("resource_missing", refused.StripeError.Code);
    }

    [Fact]
    public async Task GetRefund_ReturnsIt()
    {
        var paid = await PaidIntentAsync();
        var refund = await Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 100 });

        var fetched = await Refunds.GetAsync(refund.Id);

        Assert.Equal(refund.Id, fetched.Id);
        Assert.Equal(100, fetched.Amount);
        Assert.Equal("succeeded", fetched.Status);
    }
}
