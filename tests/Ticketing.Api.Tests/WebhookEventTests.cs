using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Stripe;
using Ticketing.Grains.Payments;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// The webhook reads events itself (<see cref="WebhookEvent"/>), not through
/// Stripe.net's deserialisation: here every kind of event the product acts on
/// is made at the emulator, and for each one the fields read must be those
/// Stripe.net reads from the same JSON.
/// </summary>
public sealed class WebhookEventTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private TicketingApp App => fixture.App;

    [Fact]
    public async Task EveryEventTheProductActsOn_ReadsAsStripeNetReadsIt()
    {
        var stripe = App.Stripe.Client();
        var intents = new PaymentIntentService(stripe);
        var paid = await PayAsync(intents, "pm_card_visa");
        await PayAsync(intents, "pm_card_chargeDeclinedInsufficientFunds");
        await intents.CancelAsync((await CreateAsync(intents)).Id);
        await new RefundService(stripe).CreateAsync(new RefundCreateOptions { PaymentIntent = paid.Id, Amount = 700 });
        var lost = App.Stripe.Control.OpenDispute((await PayAsync(intents, "pm_card_visa")).Id);
        App.Stripe.Control.CloseDispute(lost.Id, "lost");
        var won = App.Stripe.Control.OpenDispute((await PayAsync(intents, "pm_card_visa")).Id);
        App.Stripe.Control.CloseDispute(won.Id, "won");

        var payloads = await EventPayloadsAsync();
        var types = new HashSet<string>();
        foreach (var payload in payloads)
        {
            var read = WebhookEvent.Parse(payload);
            var model = EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false);
            Assert.Equal(model.Id, read.Id);
            Assert.Equal(model.Type, read.Type);
            AssertSameObject(model.Data.Object, read.Subject);
            types.Add(read.Type);
        }

        Assert.Superset(
            new HashSet<string>
            {
                EventTypes.PaymentIntentSucceeded, EventTypes.PaymentIntentPaymentFailed, EventTypes.PaymentIntentCanceled,
                EventTypes.ChargeRefunded, EventTypes.ChargeDisputeCreated, EventTypes.ChargeDisputeClosed,
            },
            types);
    }

    [Fact]
    public void ExpandedReferences_ReadAsTheirIds_AndMissingFieldsAsNothing()
    {
        var read = WebhookEvent.Parse("""
            {"id":"evt_1","type":"charge.dispute.created","data":{"object":{"object":"dispute","id":"dp_1",
             "charge":{"id":"ch_1","object":"charge"},"payment_intent":{"id":"pi_1"},"status":"needs_response"}}}
            """);

        Assert.Equal(new EventObject("dispute", "dp_1", 0, 0, 0, null, "needs_response", "pi_1", "ch_1", null, null, null, null), read.Subject);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"id":"evt_1","type":"payment_intent.succeeded"}""")]
    [InlineData("""{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":"pi_1"}}""")]
    [InlineData("""{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent","amount":1.5}}}""")]
    public void NotAnEvent_IsAFormatException(string payload) =>
        Assert.Throws<FormatException>(() => WebhookEvent.Parse(payload));

    [Fact]
    public async Task SignedPayloadThatIsNotAnEvent_Returns400AndStoresNothing()
    {
        var response = await App.CreateClient().SendAsync(Checkout.SignedWebhook("""{"id":"evt_not_an_event","type":"payment_intent.succeeded"}"""));

        await response.AssertProblem(HttpStatusCode.BadRequest, "invalid-event");
        Assert.Equal(0L, await App.Database.ScalarAsync("SELECT count(*) FROM ticketing.stripe_events WHERE event_id = 'evt_not_an_event'"));
    }

    private static void AssertSameObject(IHasObject modelObject, EventObject read)
    {
        switch (modelObject)
        {
            case PaymentIntent intent:
                Assert.Equal(
                    new EventObject("payment_intent", intent.Id, intent.Amount, intent.AmountReceived, 0, intent.Currency, intent.Status, null, null,
                        intent.LatestChargeId, intent.LastPaymentError?.Message, intent.Metadata?.GetValueOrDefault("order_id"), intent.Metadata?.GetValueOrDefault("ticketing_service")),
                    read);
                break;
            case Charge charge:
                Assert.Equal(
                    new EventObject("charge", charge.Id, charge.Amount, 0, charge.AmountRefunded, charge.Currency, charge.Status, charge.PaymentIntentId, null, null, null, null, null),
                    read with { OrderId = null });
                break;
            case Dispute dispute:
                Assert.Equal(
                    new EventObject("dispute", dispute.Id, dispute.Amount, 0, 0, dispute.Currency, dispute.Status, dispute.PaymentIntentId, dispute.ChargeId, null, null, null, null),
                    read with { OrderId = null });
                break;
            default:
                Assert.Equal(modelObject.Object, read.Kind);
                break;
        }
    }

    private static Task<PaymentIntent> CreateAsync(PaymentIntentService intents) =>
        intents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = 2500,
            Currency = "eur",
            Metadata = new Dictionary<string, string> { ["order_id"] = Guid.NewGuid().ToString() },
        });

    private static async Task<PaymentIntent> PayAsync(PaymentIntentService intents, string card)
    {
        var intent = await CreateAsync(intents);
        try
        {
            return await intents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = card });
        }
        catch (StripeException declined) when (declined.StripeError?.Type == "card_error")
        {
            return intent;
        }
    }

    /// <summary>The raw JSON of the emulator's events, as its webhooks send them.</summary>
    private async Task<IReadOnlyList<string>> EventPayloadsAsync()
    {
        using var client = App.Stripe.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", StripeEmulatorHost.SecretKey);
        using var listing = JsonDocument.Parse(await client.GetStringAsync("/v1/events?limit=100"));
        return [.. listing.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetRawText())];
    }
}
