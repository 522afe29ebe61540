namespace Ticketing.Api.Limits;

/// <summary>
/// One caller's tokens for one rate limit, refilled when they are next counted
/// rather than by a timer: a bucket nobody asks of costs nothing. Times are
/// <see cref="TimeProvider.GetTimestamp"/> values; <c>refill</c> is one
/// token's time in those units. Not thread-safe: its owner locks it.
/// </summary>
internal sealed class TokenBucket(int tokens, long countedAt)
{
    private int tokens = tokens;

    // When the tokens were last counted: a remainder short of a whole token stays earned.
    private long countedAt = countedAt;

    /// <summary>Set when the sweep drops the bucket: a caller that still holds it takes from a new one.</summary>
    public bool Dropped { get; set; }

    public bool TryTake(int count, long now, int burst, long refill)
    {
        Count(now, burst, refill);
        // Asking for none succeeds only while there is a token, as ASP.NET Core's limiters do.
        if (tokens < Math.Max(count, 1))
        {
            return false;
        }

        tokens -= count;
        return true;
    }

    /// <summary>A full bucket is the same as a new one, so it can be dropped.</summary>
    public bool IsFull(long now, int burst, long refill) => Earned(now, refill) >= burst - tokens;

    private void Count(long now, int burst, long refill)
    {
        var earned = Earned(now, refill);
        if (earned >= burst - tokens)
        {
            // A full bucket earns nothing: its time starts again from the next token taken.
            tokens = burst;
            countedAt = now;
        }
        else if (earned > 0)
        {
            tokens += (int)earned;
            countedAt += earned * refill;
        }
    }

    // A thread may read the clock before another counts later: that is no time at all, not negative time.
    private long Earned(long now, long refill) => Math.Max(0, now - countedAt) / refill;
}
