namespace Ticketing.Testing;

/// <summary>Polls for something that happens in the background (a timer, a reminder) up to a deadline.</summary>
public static class Eventually
{
    public static Task<T> Value<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within) =>
        Value(probe, done, within, TimeSpan.FromMilliseconds(100));

    /// <summary>Polls every <paramref name="every"/>: a probe through a rate-limited route polls no faster than its limit allows.</summary>
    public static async Task<T> Value<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within, TimeSpan every)
    {
        var deadline = DateTime.UtcNow + within;
        var value = await probe();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(every);
            value = await probe();
        }

        return value;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails the test, saying <paramref name="what"/>, if it does not within the time.</summary>
    public static async Task True(Func<bool> condition, TimeSpan within, string what)
    {
        var held = await Value(() => Task.FromResult(condition()), done => done, within);
        Assert.True(held, $"Not within {within}: {what}");
    }
}
