using System.Diagnostics.Metrics;
using Ticketing.Abstractions.Orders;
using Ticketing.Domain.Orders;

namespace Ticketing.Grains.Orders;

/// <summary>
/// The order as stored, and the calls waiting for its status to change.
/// Waiters answer from what is stored, never from a change still being
/// written: the grain's other calls change the order in memory before saving.
/// The counter (<c>order_waits</c>) counts the calls waiting at a time.
/// </summary>
internal sealed class StatusWaiters(TimeProvider clock, UpDownCounter<long> waiting)
{
    private TaskCompletionSource? changed;
    private bool released;

    /// <summary>What is stored now; null before the order is read or placed.</summary>
    public OrderState? Stored { get; private set; }

    /// <summary>The order was written (or read): waiters look at it again.</summary>
    public void Saved(OrderState state)
    {
        Stored = state;
        Wake();
    }

    /// <summary>
    /// Every waiter answers now, and later ones at once: a wait still running
    /// would hold the activation's deactivation, and every call behind it.
    /// </summary>
    public void ReleaseAll()
    {
        released = true;
        Wake();
    }

    /// <summary>Waits while the stored status is one of <paramref name="statuses"/>, at most <paramref name="timeout"/>; answers what is stored.</summary>
    public async Task<OrderState?> WaitWhile(IReadOnlySet<OrderStatus> statuses, TimeSpan timeout)
    {
        var until = clock.GetUtcNow() + timeout;
        while (!released && Stored is { } current && statuses.Contains(current.Status))
        {
            var remaining = until - clock.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting.Add(1);
            try
            {
                await changed.Task.WaitAsync(remaining, clock);
            }
            catch (TimeoutException)
            {
                break;
            }
            finally
            {
                waiting.Add(-1);
            }
        }

        return Stored;
    }

    private void Wake()
    {
        var waiting = changed;
        changed = null;
        waiting?.TrySetResult();
    }
}
