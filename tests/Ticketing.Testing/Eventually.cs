namespace Ticketing.Testing;

/// <summary>Polls for something that happens in the background (a timer, a reminder) up to a deadline.</summary>
public static class Eventually
{
    public static async Task<T> Value<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var value = await probe();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            value = await probe();
        }

        return value;
    }
}
