using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

public sealed class DisputeTests : EmulatorTest
{
    [Fact]
    public async Task OpenDispute_OnPaidIntent_EmitsDisputeCreatedAndMarksTheChargeDisputed()
    {
        var paid = await PaidIntentAsync(amount: 4000);

        var response = await Host.CreateClient().PostAsJsonAsync(
            new Uri("/_emulator/disputes", UriKind.Relative), new { paymentIntent = paid.Id });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var disputeId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.StartsWith("dp_", disputeId, StringComparison.Ordinal);
        await Receiver.WaitForEventAsync("charge.dispute.created", disputeId);
        var dispute = (Dispute)Receiver.EventsOf("charge.dispute.created").Single().Data.Object;
        Assert.Equal("needs_response", dispute.Status);
        Assert.Equal(4000, dispute.Amount);
        Assert.Equal(paid.LatestChargeId, dispute.ChargeId);
        Assert.Equal(paid.Id, dispute.PaymentIntentId);
        Assert.True((await Charges.GetAsync(paid.LatestChargeId)).Disputed);
    }

    [Fact]
    public async Task CloseDispute_AsLost_EmitsDisputeClosedAndRefundsAreRefused()
    {
        var paid = await PaidIntentAsync();
        var opened = Control.OpenDispute(paid.Id);

        var response = await Host.CreateClient().PostAsJsonAsync(
            new Uri($"/_emulator/disputes/{opened.Id}/close", UriKind.Relative), new { status = "lost" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Receiver.WaitForEventAsync("charge.dispute.closed", opened.Id);
        var closed = (Dispute)Receiver.EventsOf("charge.dispute.closed").Single().Data.Object;
        Assert.Equal("lost", closed.Status);
        Assert.True((await Charges.GetAsync(paid.LatestChargeId)).Disputed);
        var refused = await RefusedAsync(() => Refunds.CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id }));
        Assert.Equal("charge_disputed", refused.StripeError.Code);
    }

    [Fact]
    public async Task CloseDispute_AsWon_EmitsDisputeClosed()
    {
        var paid = await PaidIntentAsync();
        var opened = Control.OpenDispute(paid.Id, "product_not_received");

        var closed = Control.CloseDispute(opened.Id, "won");

        Assert.Equal("won", closed.Status);
        await Receiver.WaitForEventAsync("charge.dispute.closed", opened.Id);
        Assert.Equal("product_not_received", ((Dispute)Receiver.EventsOf("charge.dispute.closed").Single().Data.Object).Reason);
    }

    [Fact]
    public async Task CloseDispute_Twice_Returns400()
    {
        var paid = await PaidIntentAsync();
        var opened = Control.OpenDispute(paid.Id);
        Control.CloseDispute(opened.Id, "won");

        var response = await Host.CreateClient().PostAsJsonAsync(
            new Uri($"/_emulator/disputes/{opened.Id}/close", UriKind.Relative), new { status = "lost" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task OpenDispute_OnUnpaidIntent_Returns400()
    {
        var intent = await CreateIntentAsync();

        var response = await Host.CreateClient().PostAsJsonAsync(
            new Uri("/_emulator/disputes", UriKind.Relative), new { paymentIntent = intent.Id });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Confirm_WithCreateDisputeCard_SucceedsThenOpensADispute()
    {
        var intent = await CreateIntentAsync();

        var paid = await PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_createDispute" });

        Assert.Equal("succeeded", paid.Status);
        await Receiver.WaitForAsync(all => all.Any(r => r.Event.Type == "charge.dispute.created"));
        var dispute = (Dispute)Receiver.EventsOf("charge.dispute.created").Single().Data.Object;
        Assert.Equal(paid.LatestChargeId, dispute.ChargeId);
    }
}
