namespace Ticketing.Load;

/// <summary>
/// The users a scenario's virtual users act as. The silo limits each user's
/// rate (<see cref="SiloLimits"/>), and a virtual user sends far more than a
/// person does; so each step takes an identity that has rested for
/// <see cref="Rest"/> since its last step ended, and a new identity is made
/// when none has. The load then comes from the many buyers (or gates) it
/// stands for, and no identity goes over its limit whatever the throughput.
/// </summary>
/// <remarks>Rest counts from the end of a step: each request of the step had reached the silo by then.</remarks>
public sealed class Identities<T>(TimeSpan rest, Func<int, T> create, TimeProvider? clock = null)
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private readonly Queue<(T Identity, long RestedAt)> resting = new();
    private readonly Lock gate = new();
    private int made;

    public TimeSpan Rest => rest;

    /// <summary>How many identities were made so far.</summary>
    public int Count => Volatile.Read(ref made);

    /// <summary>An identity that has rested, or a new one.</summary>
    public T Take()
    {
        int number;
        lock (gate)
        {
            // Oldest first; one that finished later but rested less is behind it, never handed out early.
            if (resting.TryPeek(out var next) && next.RestedAt <= clock.GetTimestamp())
            {
                return resting.Dequeue().Identity;
            }

            number = made++;
        }

        return create(number); // outside the lock: making one mints a token
    }

    /// <summary>Gives an identity back when its step has ended, answered or not.</summary>
    public void GiveBack(T identity)
    {
        var restedAt = clock.GetTimestamp() + (long)(rest.TotalSeconds * clock.TimestampFrequency);
        lock (gate)
        {
            resting.Enqueue((identity, restedAt));
        }
    }

    /// <summary>Runs one step as a rested identity.</summary>
    public async Task<TResult> RunAsync<TResult>(Func<T, Task<TResult>> step)
    {
        var identity = Take();
        try
        {
            return await step(identity);
        }
        finally
        {
            GiveBack(identity);
        }
    }
}
