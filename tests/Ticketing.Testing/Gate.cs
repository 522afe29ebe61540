namespace Ticketing.Testing;

/// <summary>Races many calls against each other.</summary>
public static class Gate
{
    /// <summary>
    /// Starts every call, holds them all at one gate, then opens it. (A
    /// blocking Barrier would starve the thread pool on two cores.)
    /// </summary>
    public static async Task<T[]> Race<T>(int count, Func<int, Task<T>> call)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.Task;
            return await call(i);
        }).ToArray();
        gate.SetResult();
        return await Task.WhenAll(racers);
    }
}
