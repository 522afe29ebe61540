using System.ComponentModel.DataAnnotations;

namespace Ticketing.Api.Limits;

/// <summary>
/// <c>Ticketing:RateLimits</c>: one token bucket per caller for each group of
/// routes (<see cref="RateLimits"/>). The defaults leave a person's use of the
/// product alone and refuse a script that sends many times more.
/// </summary>
internal sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "Ticketing:RateLimits";

    /// <summary>Per user: a person holds a few times a minute, a few tiers at once.</summary>
    public RateLimit Holds { get; set; } = new() { PerMinute = 30, Burst = 10 };

    /// <summary>Per user: placing, reading (a page waits on its order), cancelling; an organizer's reads and refunds.</summary>
    public RateLimit Orders { get; set; } = new() { PerMinute = 60, Burst = 20 };

    /// <summary>Per user: a waiting page long-polls about every 20 s and joins rarely.</summary>
    public RateLimit Queue { get; set; } = new() { PerMinute = 30, Burst = 10 };

    /// <summary>Per scanner identity: a gate scans a ticket every second or two; a group arriving is the burst.</summary>
    public RateLimit Scans { get; set; } = new() { PerMinute = 120, Burst = 30 };

    /// <summary>Per client address (or per user, when the request carries a valid token): the catalogue, read without a token.</summary>
    public RateLimit Anonymous { get; set; } = new() { PerMinute = 600, Burst = 100 };

    /// <summary>Each policy: the name its routes ask for, its configuration key and its limit.</summary>
    public IEnumerable<(string Policy, string Key, RateLimit Limit)> Policies() =>
    [
        (RateLimits.Holds, $"{Section}:{nameof(Holds)}", Holds),
        (RateLimits.Orders, $"{Section}:{nameof(Orders)}", Orders),
        (RateLimits.Queue, $"{Section}:{nameof(Queue)}", Queue),
        (RateLimits.Scans, $"{Section}:{nameof(Scans)}", Scans),
        (RateLimits.Anonymous, $"{Section}:{nameof(Anonymous)}", Anonymous),
    ];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        from policy in Policies()
        let problem = policy.Limit.Problem()
        where problem is not null
        select new ValidationResult($"{policy.Key}: {problem}");
}

/// <summary>A token bucket: <see cref="Burst"/> requests at once, refilled at <see cref="PerMinute"/>.</summary>
internal sealed class RateLimit
{
    /// <summary>The most a caller sends in a minute, kept up; 0 turns the limit off.</summary>
    public int PerMinute { get; set; }

    /// <summary>The most a caller sends at once, after a quiet spell.</summary>
    public int Burst { get; set; }

    /// <summary>How long one request's token takes to come back.</summary>
    public TimeSpan Refill => TimeSpan.FromMinutes(1) / PerMinute;

    public string? Problem() =>
        PerMinute is < 0 or > 1_000_000 ? "PerMinute must be from 0 (no limit) to 1000000."
        : PerMinute > 0 && Burst is < 1 or > 1_000_000 ? "Burst must be from 1 to 1000000."
        : null;
}
