using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.Orders;
using Ticketing.Grains.Tiers;
using Ticketing.Persistence.Orders;
using Ticketing.Persistence.Payments;

namespace Ticketing.Grains.Payments;

/// <summary>
/// Retries failed inbox events and resumes orders that owe work, every
/// wake-up period, by reminder: so a webhook that failed, or a silo that died
/// between payment and issuance, ends with the tickets (or the refund).
/// </summary>
public sealed class PaymentRecoveryGrain(
    StripeEventStore inbox,
    PaymentInbox payments,
    OrderRepository orders,
    TimeProvider clock,
    IOptions<HoldOptions> options,
    ILogger<PaymentRecoveryGrain> logger) : Grain, IPaymentRecoveryGrain, IRemindable
{
    private const int BatchSize = 100;

    // An event younger than this may still be in the hands of its delivery.
    private static readonly TimeSpan InFlight = TimeSpan.FromSeconds(10);

    public async Task Start()
    {
        await this.RegisterOrUpdateReminder("payment-recovery", options.Value.WakeUp, options.Value.WakeUp);
        await Sweep();
    }

    public async Task<int> Sweep()
    {
        var taken = 0;
        foreach (var stored in await inbox.UnprocessedAsync(clock.GetUtcNow() - InFlight, BatchSize, CancellationToken.None))
        {
            taken++;
            try
            {
                await payments.RetryAsync(stored, CancellationToken.None);
            }
            catch (Exception failure)
            {
                // Recorded on the event by the inbox; the next sweep tries again.
                logger.LogWarning(failure, "Retry {Attempt} of Stripe event {EventId} failed", stored.Attempts + 1, stored.EventId);
            }
        }

        foreach (var orderId in await orders.OwingWorkAsync(clock.GetUtcNow(), BatchSize, CancellationToken.None))
        {
            taken++;
            try
            {
                await GrainFactory.Reference<IOrderGrain>(orderId).Resume();
            }
            catch (Exception failure)
            {
                logger.LogWarning(failure, "Resuming order {OrderId} failed; the next sweep tries again", orderId);
            }
        }

        return taken;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Sweep();
}
