using Ticketing.Abstractions.Operations;
using Ticketing.Abstractions.Orders;
using Ticketing.Grains;

namespace Ticketing.Api.Hosting;

/// <summary>
/// Once the silo runs, makes sure the reminders of the scheduled grains exist
/// (payment recovery, alerts, reconciliation, retention). Reminders live in
/// the database, so any silo starting is enough; each runs where Orleans puts it.
/// </summary>
internal sealed class ScheduledWork(IGrainFactory grains, ILogger<ScheduledWork> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Start("payment recovery", () => grains.Reference<IPaymentRecoveryGrain>(0).Start(), stoppingToken);
        await Start("alerts", () => grains.Reference<IAlertsGrain>(0).Start(), stoppingToken);
        await Start("reconciliation", () => grains.Reference<IReconciliationGrain>(0).Start(), stoppingToken);
        await Start("retention", () => grains.Reference<IRetentionGrain>(0).Start(), stoppingToken);
    }

    private async Task Start(string work, Func<Task> start, CancellationToken stoppingToken)
    {
        try
        {
            await start();
        }
        catch (Exception failure) when (!stoppingToken.IsCancellationRequested)
        {
            // Its reminder, once registered by any silo, runs it anyway.
            logger.LogWarning(failure, "The {Work} schedule could not start", work);
        }
    }
}
