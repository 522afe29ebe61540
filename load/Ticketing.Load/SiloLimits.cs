namespace Ticketing.Load;

/// <summary>One of the silo's rate limits: a burst, then so many requests a minute per caller.</summary>
public sealed record SiloLimit(int PerMinute, int Burst)
{
    /// <summary>How long one request's token takes to come back.</summary>
    public TimeSpan Refill => TimeSpan.FromMinutes(1) / PerMinute;
}

/// <summary>
/// The silo's default rate limits per caller (docs/api.md, "Rate limits"),
/// which every scenario stays under: a benchmark runs the silo as a user
/// starts it. A test holds these to the silo's own defaults.
/// </summary>
public static class SiloLimits
{
    public static readonly SiloLimit Holds = new(PerMinute: 30, Burst: 10);

    public static readonly SiloLimit Orders = new(PerMinute: 60, Burst: 20);

    /// <summary>The waiting room's join and long-poll, per user.</summary>
    public static readonly SiloLimit Queue = new(PerMinute: 30, Burst: 10);

    public static readonly SiloLimit Scans = new(PerMinute: 120, Burst: 30);

    /// <summary>The catalogue's, per user when the request carries a token (as the harness's do).</summary>
    public static readonly SiloLimit Anonymous = new(PerMinute: 600, Burst: 100);

    /// <summary>
    /// How long an identity rests between steps, each sending so many requests
    /// under each limit: the time their tokens take to come back, and a tenth
    /// more for the silo's refill timer and clock jitter.
    /// </summary>
    public static TimeSpan Rest(params (SiloLimit Limit, int Requests)[] uses) =>
        uses.Max(use => use.Limit.Refill * use.Requests) * 1.1;
}
