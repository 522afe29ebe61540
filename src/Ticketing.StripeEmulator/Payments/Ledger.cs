using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Ticketing.StripeEmulator.Events;
using Ticketing.StripeEmulator.Webhooks;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Payments;

/// <summary>
/// The emulated account: payment intents, charges, refunds, disputes and the
/// events their changes emit, in memory. Every change happens under one lock,
/// and its events are queued for delivery in the order they happened.
/// </summary>
public sealed class Ledger(TimeProvider clock, WebhookQueue webhooks)
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, PaymentIntent> paymentIntents = [];
    private readonly Dictionary<string, Charge> charges = [];
    private readonly Dictionary<string, Refund> refunds = [];
    private readonly Dictionary<string, Dispute> disputes = [];
    private readonly List<StripeEvent> events = [];
    private readonly Dictionary<string, int> eventPositions = [];

    /// <summary>Every event so far, oldest first.</summary>
    public IReadOnlyList<StripeEvent> Events
    {
        get
        {
            lock (gate)
            {
                return [.. events];
            }
        }
    }

    private long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    public PaymentIntent CreatePaymentIntent(PaymentIntentCreation creation, EventRequest origin)
    {
        if (creation.PaymentMethod is { } paymentMethod)
        {
            TestCards.For(paymentMethod);
        }

        lock (gate)
        {
            var intent = Save(PaymentIntent.Create(creation, Now));
            Emit(EventTypes.PaymentIntentCreated, intent, origin);
            return creation.Confirm ? Confirm(intent, paymentMethod: null, origin) : intent;
        }
    }

    public PaymentIntent GetPaymentIntent(string id)
    {
        lock (gate)
        {
            return PaymentIntentOf(id);
        }
    }

    /// <summary>
    /// The payment intent a client secret belongs to, or null: the secret is the
    /// browser's only proof, so a malformed, unknown or wrong one finds nothing.
    /// </summary>
    public PaymentIntent? FindByClientSecret(string clientSecret)
    {
        var separator = clientSecret.IndexOf("_secret_", StringComparison.Ordinal);
        if (separator <= 0)
        {
            return null;
        }

        PaymentIntent? intent;
        lock (gate)
        {
            intent = paymentIntents.GetValueOrDefault(clientSecret[..separator]);
        }

        return intent is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(intent.ClientSecret), Encoding.UTF8.GetBytes(clientSecret))
            ? intent
            : null;
    }

    /// <summary>Charges the card; a declined card throws a 402 card error after the failure is recorded and emitted.</summary>
    public PaymentIntent ConfirmPaymentIntent(string id, string? paymentMethod, EventRequest origin)
    {
        lock (gate)
        {
            return Confirm(PaymentIntentOf(id), paymentMethod, origin);
        }
    }

    public PaymentIntent CancelPaymentIntent(string id, string? reason, EventRequest origin)
    {
        lock (gate)
        {
            var canceled = Save(PaymentIntentOf(id).Canceled(reason, Now));
            Emit(EventTypes.PaymentIntentCanceled, canceled, origin);
            return canceled;
        }
    }

    public Charge GetCharge(string id)
    {
        lock (gate)
        {
            return charges.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("charge", id, "id");
        }
    }

    public Refund CreateRefund(RefundCreation creation, EventRequest origin)
    {
        lock (gate)
        {
            var charge = ChargeToRefund(creation);
            var amount = charge.AmountToRefund(creation.Amount, disputes.Values.FirstOrDefault(d => d.Charge == charge.Id));
            var refund = Refund.Of(charge, amount, creation, Now);
            refunds[refund.Id] = refund;
            var refunded = Save(charge.WithRefund(refund));
            Emit(EventTypes.RefundCreated, refund, origin);
            Emit(EventTypes.ChargeRefunded, refunded, origin);
            return refund;
        }
    }

    public Refund GetRefund(string id)
    {
        lock (gate)
        {
            return refunds.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("refund", id, "id");
        }
    }

    /// <summary>The cardholder disputes the payment intent's charge.</summary>
    public Dispute OpenDispute(string paymentIntentId, string? reason)
    {
        lock (gate)
        {
            var intent = PaymentIntentOf(paymentIntentId, "paymentIntent");
            if (intent is not { Status: PaymentIntentStatus.Succeeded, LatestCharge: { } chargeId })
            {
                throw StripeApiException.InvalidRequest(
                    "charge_not_disputable", $"PaymentIntent {intent.Id} has a status of {intent.Status}; only a succeeded payment can be disputed.");
            }

            return Open(charges[chargeId], reason ?? "fraudulent");
        }
    }

    public Dispute CloseDispute(string id, string outcome)
    {
        lock (gate)
        {
            var dispute = disputes.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("dispute", id, "id");
            var closed = dispute.Closed(outcome);
            disputes[closed.Id] = closed;
            Emit(EventTypes.DisputeClosed, closed, EventRequest.None);
            return closed;
        }
    }

    public Dispute GetDispute(string id)
    {
        lock (gate)
        {
            return disputes.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("dispute", id, "id");
        }
    }

    public StripeEvent GetEvent(string id)
    {
        lock (gate)
        {
            return EventOf(id, "id");
        }
    }

    /// <summary>Newest first, as Stripe lists.</summary>
    public StripeList<StripeEvent> ListEvents(EventQuery query)
    {
        lock (gate)
        {
            var candidates = events.Index().Where(entry => query.Matches(entry.Item));
            if (query.StartingAfter is { } after)
            {
                var position = PositionOf(after, "starting_after");
                candidates = candidates.Where(entry => entry.Index < position);
            }

            List<StripeEvent> page;
            if (query.EndingBefore is { } before)
            {
                var position = PositionOf(before, "ending_before");
                page = [.. candidates.Where(entry => entry.Index > position).Take(query.Limit + 1).Select(entry => entry.Item)];
                var hasMoreNewer = page.Count > query.Limit;
                page = [.. page.Take(query.Limit).Reverse()];
                return new StripeList<StripeEvent>(page, hasMoreNewer, "/v1/events");
            }

            page = [.. candidates.Reverse().Take(query.Limit + 1).Select(entry => entry.Item)];
            return new StripeList<StripeEvent>([.. page.Take(query.Limit)], page.Count > query.Limit, "/v1/events");
        }
    }

    /// <summary>
    /// Stripe's <c>expand[]</c> for top-level id fields (<c>latest_charge</c>,
    /// <c>charge</c>, <c>payment_intent</c>): the id is replaced by the object.
    /// </summary>
    public object Expand(object value, IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            return value;
        }

        var node = JsonSerializer.SerializeToNode(value, value.GetType(), StripeJson.Options)!.AsObject();
        lock (gate)
        {
            foreach (var path in paths)
            {
                if (!node.TryGetPropertyValue(path, out var field))
                {
                    throw StripeApiException.ParameterInvalid("expand", $"This property cannot be expanded ({path}).");
                }

                if (field?.GetValueKind() == JsonValueKind.String && Find(field.GetValue<string>()) is { } expanded)
                {
                    node[path] = JsonSerializer.SerializeToNode(expanded, expanded.GetType(), StripeJson.Options);
                }
            }
        }

        return node;
    }

    private PaymentIntent Confirm(PaymentIntent intent, string? paymentMethod, EventRequest origin)
    {
        var method = intent.PaymentMethodToConfirm(paymentMethod);
        var card = TestCards.For(method);
        var charge = Save(Charge.Attempt(intent, method, card, Now));
        if (card.IsApproved)
        {
            var succeeded = Save(intent.Succeeded(charge));
            Emit(EventTypes.ChargeSucceeded, charge, origin);
            Emit(EventTypes.PaymentIntentSucceeded, succeeded, origin);
            if (card.OpensDispute)
            {
                Open(charge, "fraudulent");
            }

            return succeeded;
        }

        var error = card.DeclineError(charge);
        var failed = Save(intent.Failed(charge, error));
        Emit(EventTypes.ChargeFailed, charge, origin);
        Emit(EventTypes.PaymentIntentPaymentFailed, failed, origin);
        throw StripeApiException.Card(error with { PaymentIntent = failed });
    }

    private Dispute Open(Charge charge, string reason)
    {
        var dispute = Dispute.Open(charge, reason, Now);
        disputes[dispute.Id] = dispute;
        Save(charge.WithDispute());
        Emit(EventTypes.DisputeCreated, dispute, EventRequest.None);
        return dispute;
    }

    private Charge ChargeToRefund(RefundCreation creation)
    {
        if (creation.Charge is { } chargeId)
        {
            var charge = charges.GetValueOrDefault(chargeId) ?? throw StripeApiException.NoSuch("charge", chargeId, "charge");
            if (creation.PaymentIntent is { } intentId && intentId != charge.PaymentIntent)
            {
                throw StripeApiException.ParameterInvalid("payment_intent", $"Charge {chargeId} does not belong to PaymentIntent {intentId}.");
            }

            return charge;
        }

        var intent = PaymentIntentOf(creation.PaymentIntent!, "payment_intent");
        return intent is { Status: PaymentIntentStatus.Succeeded, LatestCharge: { } latest }
            ? charges[latest]
            : throw StripeApiException.InvalidRequest(
                "charge_not_refundable", $"This PaymentIntent ({intent.Id}) does not have a successful charge to refund.", "payment_intent");
    }

    private void Emit(string type, object data, EventRequest origin)
    {
        var stripeEvent = new StripeEvent
        {
            Id = StripeIds.New("evt"),
            Created = Now,
            Data = new EventData(data),
            PendingWebhooks = webhooks.IsEnabled ? 1 : 0,
            Request = origin,
            Type = type,
        };
        eventPositions[stripeEvent.Id] = events.Count;
        events.Add(stripeEvent);
        webhooks.Publish(stripeEvent);
    }

    private object? Find(string id) => id.Split('_')[0] switch
    {
        "pi" => paymentIntents.GetValueOrDefault(id),
        "ch" => charges.GetValueOrDefault(id),
        "re" => refunds.GetValueOrDefault(id),
        "dp" => disputes.GetValueOrDefault(id),
        _ => null,
    };

    private PaymentIntent PaymentIntentOf(string id, string param = "intent") =>
        paymentIntents.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("payment_intent", id, param);

    private StripeEvent EventOf(string id, string param) => events[PositionOf(id, param)];

    private int PositionOf(string eventId, string param) =>
        eventPositions.TryGetValue(eventId, out var position) ? position : throw StripeApiException.NoSuch("event", eventId, param);

    private PaymentIntent Save(PaymentIntent intent) => paymentIntents[intent.Id] = intent;

    private Charge Save(Charge charge) => charges[charge.Id] = charge;
}
