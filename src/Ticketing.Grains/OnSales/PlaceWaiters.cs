namespace Ticketing.Grains.OnSales;

/// <summary>
/// The long-polls of buyers whose place still waits, by the place's index in
/// its line: an admission step wakes only those it admits (a prefix), not
/// every waiter. A redraw or the on-sale's removal wakes them all. Used on the
/// grain's own scheduler only.
/// </summary>
internal sealed class PlaceWaiters
{
    private readonly SortedDictionary<int, Waiter> byIndex = [];

    /// <summary>Waits until the place at <paramref name="index"/> is woken, at most <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(int index, TimeSpan timeout, TimeProvider clock)
    {
        if (!byIndex.TryGetValue(index, out var waiter))
        {
            byIndex[index] = waiter = new Waiter();
        }

        waiter.Count++;
        // Most waits end by timing out, answered with the place as it stands: no exception is thrown for it.
        await waiter.Woken.Task.WaitAsync(timeout, clock)
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        if (--waiter.Count == 0 && byIndex.TryGetValue(index, out var current) && current == waiter)
        {
            byIndex.Remove(index);
        }
    }

    /// <summary>Wakes the waits of places before <paramref name="end"/>.</summary>
    public void WakeBefore(int end)
    {
        while (byIndex.Count > 0 && byIndex.First() is var first && first.Key < end)
        {
            byIndex.Remove(first.Key);
            first.Value.Woken.TrySetResult();
        }
    }

    public void WakeAll()
    {
        foreach (var waiter in byIndex.Values)
        {
            waiter.Woken.TrySetResult();
        }

        byIndex.Clear();
    }

    private sealed class Waiter
    {
        public TaskCompletionSource Woken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; set; }
    }
}
