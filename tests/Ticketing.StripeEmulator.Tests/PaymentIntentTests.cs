using System.Net;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

public sealed class PaymentIntentTests : EmulatorTest
{
    [Fact]
    public async Task Create_WithAmountAndMetadata_RequiresPaymentMethodAndEmitsCreated()
    {
        var intent = await CreateIntentAsync(amount: 4200, orderId: "order-create");

        Assert.StartsWith("pi_", intent.Id, StringComparison.Ordinal);
        Assert.Equal("requires_payment_method", intent.Status);
        Assert.Equal(4200, intent.Amount);
        Assert.Equal(0, intent.AmountReceived);
        Assert.Equal("usd", intent.Currency);
        Assert.Equal("order-create", intent.Metadata["order_id"]);
        Assert.Equal("Tickets for order-create", intent.Description);
        Assert.StartsWith($"{intent.Id}_secret_", intent.ClientSecret, StringComparison.Ordinal);
        Assert.False(intent.Livemode);
        Assert.InRange(intent.Created, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddMinutes(1));
        await Receiver.WaitForEventAsync("payment_intent.created", intent.Id);
    }

    [Fact]
    public async Task Get_ReturnsTheIntentAsCreated()
    {
        var created = await CreateIntentAsync(orderId: "order-get");

        var fetched = await PaymentIntents.GetAsync(created.Id);

        Assert.Equal(created.Id, fetched.Id);
        Assert.Equal(created.ClientSecret, fetched.ClientSecret);
        Assert.Equal("order-get", fetched.Metadata["order_id"]);
    }

    [Fact]
    public async Task Confirm_WithVisa_SucceedsCreatesChargeAndEmitsSucceeded()
    {
        var intent = await CreateIntentAsync(amount: 3000, orderId: "order-paid");

        var paid = await PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" });

        Assert.Equal("succeeded", paid.Status);
        Assert.Equal(3000, paid.AmountReceived);
        Assert.Null(paid.LastPaymentError);
        Assert.StartsWith("ch_", paid.LatestChargeId, StringComparison.Ordinal);
        var charge = await Charges.GetAsync(paid.LatestChargeId);
        Assert.Equal("succeeded", charge.Status);
        Assert.True(charge.Paid);
        Assert.True(charge.Captured);
        Assert.Equal(3000, charge.Amount);
        Assert.Equal(3000, charge.AmountCaptured);
        Assert.Equal(0, charge.AmountRefunded);
        Assert.False(charge.Refunded);
        Assert.False(charge.Disputed);
        Assert.Equal(intent.Id, charge.PaymentIntentId);
        Assert.Equal("order-paid", charge.Metadata["order_id"]);
        Assert.Empty(charge.Refunds.Data);

        await Receiver.WaitForEventAsync("payment_intent.succeeded", intent.Id);
        await Receiver.WaitForEventAsync("charge.succeeded", charge.Id);
        var succeeded = (PaymentIntent)Receiver.EventsOf("payment_intent.succeeded").Single().Data.Object;
        Assert.Equal("succeeded", succeeded.Status);
        Assert.Equal("order-paid", succeeded.Metadata["order_id"]);
    }

    [Fact]
    public async Task Confirm_WithDeclinedCard_FailsAndEmitsPaymentFailed()
    {
        var intent = await CreateIntentAsync(orderId: "order-declined");

        var refused = await RefusedAsync(() =>
            PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }));

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.HttpStatusCode);
        Assert.Equal("card_error", refused.StripeError.Type);
        Assert.Equal("card_declined", refused.StripeError.Code);
        Assert.Equal("generic_decline", refused.StripeError.DeclineCode);
        Assert.Equal("requires_payment_method", refused.StripeError.PaymentIntent.Status);
        Assert.StartsWith("ch_", refused.StripeError.Charge, StringComparison.Ordinal);

        var failed = await PaymentIntents.GetAsync(intent.Id);
        Assert.Equal("requires_payment_method", failed.Status);
        Assert.Equal("card_declined", failed.LastPaymentError.Code);
        Assert.Equal(refused.StripeError.Charge, failed.LatestChargeId);
        var charge = await Charges.GetAsync(failed.LatestChargeId);
        Assert.Equal("failed", charge.Status);
        Assert.False(charge.Paid);

        await Receiver.WaitForEventAsync("payment_intent.payment_failed", intent.Id);
        var emitted = (PaymentIntent)Receiver.EventsOf("payment_intent.payment_failed").Single().Data.Object;
        Assert.Equal("order-declined", emitted.Metadata["order_id"]);
        Assert.Equal("generic_decline", emitted.LastPaymentError.DeclineCode);
    }

    [Fact]
    public async Task Confirm_AfterDecline_CanSucceedWithAnotherCard()
    {
        var intent = await CreateIntentAsync();
        await RefusedAsync(() =>
            PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_chargeDeclined" }));

        var paid = await PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" });

        Assert.Equal("succeeded", paid.Status);
        Assert.Null(paid.LastPaymentError);
        Assert.Equal("succeeded", (await Charges.GetAsync(paid.LatestChargeId)).Status);
    }

    [Fact]
    public async Task Create_WithConfirmAndVisa_SucceedsInOneCall()
    {
        var intent = await CreateIntentAsync(paymentMethod: "pm_card_visa", confirm: true);

        Assert.Equal("succeeded", intent.Status);
        await Receiver.WaitForEventAsync("payment_intent.created", intent.Id);
        await Receiver.WaitForEventAsync("payment_intent.succeeded", intent.Id);
    }

    [Fact]
    public async Task Create_WithPaymentMethod_RequiresConfirmationThenConfirmsWithIt()
    {
        var intent = await CreateIntentAsync(paymentMethod: "pm_card_visa");
        Assert.Equal("requires_confirmation", intent.Status);

        var paid = await PaymentIntents.ConfirmAsync(intent.Id);

        Assert.Equal("succeeded", paid.Status);
    }

    [Fact]
    public async Task Confirm_WhenAlreadySucceeded_Returns400UnexpectedState()
    {
        var paid = await PaidIntentAsync();

        var refused = await RefusedAsync(() =>
            PaymentIntents.ConfirmAsync(paid.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("payment_intent_unexpected_state", refused.StripeError.Code);
    }

    [Fact]
    public async Task Confirm_WithUnknownPaymentMethod_Returns400ResourceMissing()
    {
        var intent = await CreateIntentAsync();

        var refused = await RefusedAsync(() =>
            PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_nonsense" }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("resource_missing", refused.StripeError.Code);
        Assert.Equal("payment_method", refused.StripeError.Param);
        Assert.Equal("requires_payment_method", (await PaymentIntents.GetAsync(intent.Id)).Status);
    }

    [Fact]
    public async Task Cancel_WhenAwaitingPayment_CancelsAndEmitsCanceled()
    {
        var intent = await CreateIntentAsync(orderId: "order-cancel");

        var canceled = await PaymentIntents.CancelAsync(
            intent.Id, new PaymentIntentCancelOptions { CancellationReason = "requested_by_customer" });

        Assert.Equal("canceled", canceled.Status);
        Assert.Equal("requested_by_customer", canceled.CancellationReason);
        Assert.NotNull(canceled.CanceledAt);
        await Receiver.WaitForEventAsync("payment_intent.canceled", intent.Id);
    }

    [Fact]
    public async Task Cancel_WhenSucceeded_Returns400UnexpectedState()
    {
        var paid = await PaidIntentAsync();

        var refused = await RefusedAsync(() => PaymentIntents.CancelAsync(paid.Id));

        Assert.Equal(HttpStatusCode.BadRequest, refused.HttpStatusCode);
        Assert.Equal("invalid_request_error", refused.StripeError.Type);
        Assert.Equal("payment_intent_unexpected_state", refused.StripeError.Code);
        Assert.Equal("succeeded", (await PaymentIntents.GetAsync(paid.Id)).Status);
    }

    [Fact]
    public async Task Confirm_WhenCanceled_Returns400UnexpectedState()
    {
        var intent = await CreateIntentAsync();
        await PaymentIntents.CancelAsync(intent.Id);

        var refused = await RefusedAsync(() =>
            PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" }));

        Assert.Equal("payment_intent_unexpected_state", refused.StripeError.Code);
    }

    [Fact]
    public async Task Get_UnknownIntent_Returns404ResourceMissing()
    {
        var refused = await RefusedAsync(() => PaymentIntents.GetAsync("pi_doesnotexist"));

        Assert.Equal(HttpStatusCode.NotFound, refused.HttpStatusCode);
        Assert.Equal("invalid_request_error", refused.StripeError.Type);
        Assert.Equal("resource_missing", refused.StripeError.Code);
        Assert.Contains("pi_doesnotexist", refused.StripeError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WithExpandLatestCharge_ReturnsTheChargeInline()
    {
        var paid = await PaidIntentAsync(amount: 1234);

        var fetched = await PaymentIntents.GetAsync(paid.Id, new PaymentIntentGetOptions { Expand = ["latest_charge"] });

        Assert.Equal(paid.LatestChargeId, fetched.LatestCharge.Id);
        Assert.Equal(1234, fetched.LatestCharge.AmountCaptured);
    }

    [Fact]
    public async Task SucceedControl_ConfirmsWithVisa()
    {
        var intent = await CreateIntentAsync();

        var paid = Control.Succeed(intent.Id);

        Assert.Equal("succeeded", paid.Status);
        Assert.Equal("succeeded", (await PaymentIntents.GetAsync(intent.Id)).Status);
        await Receiver.WaitForEventAsync("payment_intent.succeeded", intent.Id);
    }
}
