using System.Diagnostics.Metrics;
using Ticketing.Grains.Tiers;

namespace Ticketing.Grains.Orders;

/// <summary>The order grains' instruments, on the "Ticketing" meter.</summary>
public sealed class OrderMetrics
{
    public OrderMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(TierMetrics.MeterName);
        OrdersPlaced = meter.CreateCounter<long>("orders_placed", "{order}", "Orders placed (payment intent created).");
        OrdersPaid = meter.CreateCounter<long>("orders_paid", "{order}", "Orders whose payment was recorded.");
        WebhookEvents = meter.CreateCounter<long>("webhook_events", "{event}", "Stripe events received, by type and outcome (processed, duplicate, ignored, failed).");
        OrdersFulfilled = meter.CreateCounter<long>("orders_fulfilled", "{order}", "Paid orders whose tickets were all issued.");
        OrdersUnfulfillable = meter.CreateCounter<long>("orders_unfulfillable", "{order}", "Paid orders refunded because the capacity was gone (late payments).");
        PaymentMismatches = meter.CreateCounter<long>("payment_mismatches", "{payment}", "Payments whose amount or currency did not match their order: nothing issued.");
        DisputesOpened = meter.CreateCounter<long>("disputes_opened", "{dispute}", "Payments disputed by the buyer's bank.");
        OrphanPayments = meter.CreateCounter<long>("orphan_payments", "{payment}", "Payments naming an order that does not exist: refunded.");
        OrderWaits = meter.CreateUpDownCounter<long>("order_waits", "{request}", "Requests waiting for an order's status to change (buyers' pages waiting for their tickets).");
    }

    public Counter<long> OrdersPlaced { get; }

    public Counter<long> OrdersPaid { get; }

    public Counter<long> WebhookEvents { get; }

    public Counter<long> OrdersFulfilled { get; }

    public Counter<long> OrdersUnfulfillable { get; }

    public Counter<long> PaymentMismatches { get; }

    public Counter<long> DisputesOpened { get; }

    public Counter<long> OrphanPayments { get; }

    public UpDownCounter<long> OrderWaits { get; }
}
