namespace Ticketing.StripeEmulator.Webhooks;

/// <summary>Every delivery attempt, oldest first, and a way to wait for the ones a test expects.</summary>
public sealed class DeliveryLog
{
    private readonly Lock gate = new();
    private readonly List<DeliveryAttempt> attempts = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<DeliveryAttempt> Attempts
    {
        get
        {
            lock (gate)
            {
                return [.. attempts];
            }
        }
    }

    public void Record(DeliveryAttempt attempt)
    {
        TaskCompletionSource recorded;
        lock (gate)
        {
            attempts.Add(attempt);
            recorded = changed;
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        recorded.SetResult();
    }

    /// <summary>Waits until the attempts so far satisfy <paramref name="condition"/>; throws <see cref="TimeoutException"/> listing them otherwise.</summary>
    public async Task<IReadOnlyList<DeliveryAttempt>> WaitForAsync(
        Func<IReadOnlyList<DeliveryAttempt>, bool> condition, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            IReadOnlyList<DeliveryAttempt> snapshot;
            Task next;
            lock (gate)
            {
                snapshot = [.. attempts];
                next = changed.Task;
            }

            if (condition(snapshot))
            {
                return snapshot;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"Webhook deliveries did not reach the expected state within {timeout}. Attempts so far:{Environment.NewLine}"
                    + string.Join(Environment.NewLine, snapshot));
            }
        }
    }
}
