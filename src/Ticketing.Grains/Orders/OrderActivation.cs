namespace Ticketing.Grains.Orders;

/// <summary>
/// When an order's activation stays and when it goes. An unpaid order stays
/// until its deadline, whose timer gives it up (the recovery sweep covers a
/// deactivated order). An order that settles in the activation that kept its
/// deadline goes <see cref="SettledGrace"/> later: kept the usual two idle
/// minutes, a sale's settled orders would fill the silo, a catalog the
/// dashboard walks every second and a heap the GC keeps marking
/// (docs/performance.md). An order read back already settled (a late wait, a
/// repeated webhook) has no deadline and stays the two idle minutes, so a
/// storm of repeated webhooks does not deactivate it under their feet.
/// </summary>
internal sealed class OrderActivation(
    IGrainBase grain, StatusWaiters waiters, Action deactivateOnIdle, Action<TimeSpan> delayDeactivation)
{
    /// <summary>How long a settled order stays for the buyer's page, which reads it (and its tickets) as soon as it settles.</summary>
    private static readonly TimeSpan SettledGrace = TimeSpan.FromSeconds(5);

    private IGrainTimer? deadline;
    private IGrainTimer? leavingTimer;

    /// <summary>While the order is unpaid, a timer calls <paramref name="expire"/> from its deadline on.</summary>
    public void KeepUntilDeadline(OrderLifecycle order, DateTimeOffset now, Func<Task> expire)
    {
        deadline?.Dispose();
        deadline = null;
        if (!order.IsUnpaid)
        {
            return;
        }

        var due = order.State.ExpiresAt - now;
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }

        deadline = grain.RegisterGrainTimer(_ => expire(), due, TimeSpan.FromSeconds(5));
        // The timer is the activation's: keep the activation until then, however idle.
        delayDeactivation(due);
    }

    /// <summary>An order that kept a deadline and has settled needs neither any more: it goes soon.</summary>
    public void LeaveIfSettled(OrderLifecycle? order)
    {
        if (deadline is null || order is not { IsSettled: true })
        {
            return;
        }

        deadline.Dispose();
        deadline = null;
        LeaveSoon();
    }

    /// <summary>Deactivates once idle; waiters answer what is stored and let go.</summary>
    public void Leave()
    {
        waiters.ReleaseAll();
        deactivateOnIdle();
    }

    /// <summary>
    /// As <see cref="Leave"/>, <see cref="SettledGrace"/> from now, for the
    /// buyer's page: the webhook's saga often ends before the page's wait
    /// arrives, and going at once would have the wait read the order back from
    /// the database and keep it the two idle minutes.
    /// </summary>
    private void LeaveSoon()
    {
        waiters.ReleaseAll();
        leavingTimer ??= grain.RegisterGrainTimer(_ =>
        {
            deactivateOnIdle();
            return Task.CompletedTask;
        }, SettledGrace, Timeout.InfiniteTimeSpan);
    }
}
