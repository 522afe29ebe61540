using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stripe;
using Ticketing.Abstractions.Operations;
using Ticketing.Abstractions.Orders;
using Ticketing.Abstractions.Tiers;
using Ticketing.Grains.Payments;
using Ticketing.Persistence.Operations;

namespace Ticketing.Grains.Operations;

/// <summary>
/// Compares what the system says with what it should: tier counters with
/// holds and tickets, paid orders with tickets, each order's money with
/// Stripe's. It repairs only what is provably safe, through the grains that
/// own the data (their writes are audited): a tier with holds nobody freed is
/// woken so it frees them and rewrites its counters from its holds and
/// tickets; a paid order without its tickets resumes its idempotent saga.
/// Everything else is reported, and the revenue difference feeds the
/// revenue_mismatch alert.
/// </summary>
public sealed class ReconciliationGrain(
    OperationsStore store,
    StripePayments stripe,
    TimeProvider clock,
    IOptions<OperationsOptions> options,
    ILogger<ReconciliationGrain> logger) : Grain, IReconciliationGrain, IRemindable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task Start() => this.RegisterOrUpdateReminder("reconciliation", options.Value.ReconciliationInterval, options.Value.ReconciliationInterval);

    public async Task<string> Run()
    {
        var startedAt = clock.GetUtcNow();
        var repairs = new List<string>();

        var tiers = await store.TierDriftAsync(CancellationToken.None);
        foreach (var drift in tiers)
        {
            // Loading rebuilds the counters from the holds and tickets; the
            // tier's expiry timer frees the lapsed holds in its next write.
            await GrainFactory.Reference<ITicketTierGrain>(drift.TierId).GetTier();
            repairs.Add($"tier {drift.TierId}: woken to free {drift.LapsedReserved} lapsed held tickets and rewrite its counters (stored reserved {drift.StoredReserved}, live {drift.LiveReserved}; stored issued {drift.StoredIssued}, live {drift.LiveTickets})");
        }

        var missing = await store.OrdersMissingTicketsAsync(CancellationToken.None);
        foreach (var orderId in missing)
        {
            await GrainFactory.Reference<IOrderGrain>(orderId).Resume();
            repairs.Add($"order {orderId}: saga resumed");
        }

        var revenue = await CompareRevenue(startedAt - options.Value.ReconcileWindow);
        var report = new ReconciliationReport(startedAt, clock.GetUtcNow(), tiers, missing, revenue, repairs);
        var json = JsonSerializer.Serialize(report, Json);
        await store.SaveRunAsync(report.StartedAt, report.FinishedAt, json, CancellationToken.None);
        if (revenue.DifferenceCents > 0)
        {
            logger.LogError("Reconciliation: orders and Stripe differ by {Cents} cents over {Orders} orders", revenue.DifferenceCents, revenue.Mismatches.Count);
        }

        await GrainFactory.Reference<IAlertsGrain>(0).Evaluate();
        return json;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status) => await Run();

    private async Task<RevenueComparison> CompareRevenue(DateTimeOffset since)
    {
        var orders = await store.OrderMoneySinceAsync(since, CancellationToken.None);
        var mismatches = new List<RevenueMismatch>();
        long ordersCents = 0, stripeCents = 0;
        foreach (var order in orders)
        {
            var recorded = order.PaidCents - order.RefundedCents;
            long atStripe;
            try
            {
                var intent = await stripe.GetPaymentWithChargeAsync(order.PaymentIntentId, CancellationToken.None);
                atStripe = intent.Status == "succeeded" ? intent.AmountReceived - (intent.LatestCharge?.AmountRefunded ?? 0) : 0;
            }
            catch (StripeException unknown) when (unknown.StripeError?.Code == "resource_missing")
            {
                atStripe = 0;
            }

            ordersCents += recorded;
            stripeCents += atStripe;
            if (recorded != atStripe)
            {
                mismatches.Add(new RevenueMismatch(order.OrderId, order.PaymentIntentId, order.Status, recorded, atStripe));
            }
        }

        return new RevenueComparison(orders.Count, ordersCents, stripeCents, mismatches.Sum(m => Math.Abs(m.OrderCents - m.StripeCents)), mismatches);
    }
}

/// <summary>One order whose money differs between the order and Stripe (net of refunds, in cents).</summary>
public sealed record RevenueMismatch(Guid OrderId, string PaymentIntentId, string Status, long OrderCents, long StripeCents);

/// <summary>Orders' money against Stripe's, over the reconciliation window.</summary>
public sealed record RevenueComparison(int Orders, long OrdersCents, long StripeCents, long DifferenceCents, IReadOnlyList<RevenueMismatch> Mismatches);

/// <summary>What a reconciliation run found and did.</summary>
public sealed record ReconciliationReport(
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    IReadOnlyList<TierDrift> Tiers,
    IReadOnlyList<Guid> OrdersMissingTickets,
    RevenueComparison Revenue,
    IReadOnlyList<string> Repairs);
