using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.Operations;
using Ticketing.Persistence.Idempotency;
using Ticketing.Persistence.Operations;

namespace Ticketing.Grains.Operations;

/// <summary>
/// By reminder: anonymizes old orders' contact details (an order once) and
/// deletes idempotency keys past their 24 hours.
/// </summary>
public sealed class RetentionGrain(
    OperationsStore store, IdempotencyStore idempotency, TimeProvider clock, IOptions<OperationsOptions> options, ILogger<RetentionGrain> logger)
    : Grain, IRetentionGrain, IRemindable
{
    public Task Start() => this.RegisterOrUpdateReminder("retention", options.Value.RetentionInterval, options.Value.RetentionInterval);

    public async Task<int> Apply()
    {
        var anonymized = await store.AnonymizeAsync(clock.GetUtcNow() - options.Value.RetainContactsFor, "retention", CancellationToken.None);
        var purged = await idempotency.PurgeAsync(CancellationToken.None);
        if (anonymized > 0 || purged > 0)
        {
            logger.LogInformation("Retention: contact details of {Orders} orders anonymized, {Keys} idempotency keys deleted", anonymized, purged);
        }

        return anonymized;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status) => await Apply();
}
