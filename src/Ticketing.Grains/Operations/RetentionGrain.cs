using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.Operations;
using Ticketing.Persistence.Operations;

namespace Ticketing.Grains.Operations;

/// <summary>Anonymizes old orders' contact details by reminder; idempotent (an order is anonymized once).</summary>
public sealed class RetentionGrain(OperationsStore store, TimeProvider clock, IOptions<OperationsOptions> options, ILogger<RetentionGrain> logger)
    : Grain, IRetentionGrain, IRemindable
{
    public Task Start() => this.RegisterOrUpdateReminder("retention", options.Value.RetentionInterval, options.Value.RetentionInterval);

    public async Task<int> Apply()
    {
        var anonymized = await store.AnonymizeAsync(clock.GetUtcNow() - options.Value.RetainContactsFor, null, "retention", CancellationToken.None);
        if (anonymized > 0)
        {
            logger.LogInformation("Retention: contact details of {Orders} orders anonymized", anonymized);
        }

        return anonymized;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status) => await Apply();
}
