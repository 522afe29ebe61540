using Ticketing.Abstractions.Operations;
using Ticketing.Persistence.Operations;

namespace Ticketing.Grains.Operations;

/// <summary>The alerts: what each measures, its severity and threshold (it fires above it), and its runbook section.</summary>
public static class Alerts
{
    public const string PaidOrdersMissingTickets = "paid_orders_missing_tickets";
    public const string NegativeTicketAvailability = "negative_ticket_availability";
    public const string GhostReservationsHigh = "ghost_reservations_high";
    public const string HoldExpiryLagging = "hold_expiry_lagging";
    public const string RevenueMismatch = "revenue_mismatch";
    public const string PaymentWithoutOrder = "payment_without_order";
    public const string OnSaleQueueStalled = "onsale_queue_stalled";

    /// <summary>Each alert's Prometheus gauge.</summary>
    public static readonly IReadOnlyList<(string Alert, string Gauge)> GaugeNames =
    [
        (PaidOrdersMissingTickets, "ticketing_paid_orders_missing_tickets"),
        (NegativeTicketAvailability, "ticketing_negative_ticket_availability"),
        (GhostReservationsHigh, "ticketing_ghost_reservations"),
        (HoldExpiryLagging, "ticketing_lagging_expired_holds"),
        (RevenueMismatch, "ticketing_revenue_mismatch_cents"),
        (PaymentWithoutOrder, "ticketing_payments_without_order"),
        (OnSaleQueueStalled, "ticketing_onsale_queues_stalled"),
    ];

    public static IReadOnlyList<AlertState> Evaluate(InvariantCounts counts, long revenueDifferenceCents, long stalledQueues, DateTimeOffset now) =>
    [
        State(PaidOrdersMissingTickets, "P0", counts.PaidOrdersMissingTickets, 0, now),
        State(NegativeTicketAvailability, "P0", counts.NegativeAvailabilityTiers, 0, now),
        State(GhostReservationsHigh, "P1", counts.GhostReservations, 50, now),
        State(HoldExpiryLagging, "P1", counts.LaggingExpiredHolds, 0, now),
        // $500 in cents
        State(RevenueMismatch, "P2", revenueDifferenceCents, 50_000, now),
        // refunded already: a fault to explain, not money to chase
        State(PaymentWithoutOrder, "P1", counts.PaymentsWithoutOrder, 0, now),
        // buyers wait and nobody gets in: the on-sale is failing in public
        State(OnSaleQueueStalled, "P1", stalledQueues, 0, now),
    ];

    private static AlertState State(string name, string severity, double value, double threshold, DateTimeOffset now) =>
        new(name, severity, value, threshold, value > threshold, now, $"docs/runbook.md#{name}");
}
