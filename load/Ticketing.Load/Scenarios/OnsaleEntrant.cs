namespace Ticketing.Load.Scenarios;

/// <summary>
/// One buyer of the on-sale scenario and what became of it. Harness times
/// are <see cref="System.Diagnostics.Stopwatch"/> ticks; the silo's times
/// come from its answers.
/// </summary>
internal sealed class OnsaleEntrant(int index, string userId, string token, bool early)
{
    public int Index => index;

    public string UserId => userId;

    public string Token => token;

    /// <summary>Joined before the opening (admitted in a random order), or after it (in turn).</summary>
    public bool Early => early;

    /// <summary>When the join was sent and when its answer came; 0 until then.</summary>
    public long JoinSent { get; set; }

    public long JoinAnswered { get; set; }

    public bool Joined { get; set; }

    private int ended;

    /// <summary>True the first time only: the page stopped waiting once, whatever answers came after.</summary>
    public bool TryEnd() => Interlocked.Exchange(ref ended, 1) == 0;

    /// <summary>The waiting room's estimate, from the last answer; null before one.</summary>
    public DateTimeOffset? EstimatedAdmissionAt { get; set; }

    /// <summary>When the waiting room last answered the page.</summary>
    public DateTimeOffset LastAnswered { get; set; }

    /// <summary>Whether the page has heard from the waiting room since it opened (its place is then known).</summary>
    public bool HeardSinceOpening { get; set; }

    /// <summary>The place last answered; null before one.</summary>
    public int? Position { get; set; }

    /// <summary>A waiting answer came nearer the front than the one before: the room has drawn, and estimates hold.</summary>
    public bool LineMoved { get; set; }

    /// <summary>When an early page's turn comes at the on-sale's rate, from the room's stored draw; null before the draw, and for a late page.</summary>
    public DateTimeOffset? DrawnTurn { get; set; }

    /// <summary>The page's next request stands for its poll parked in the room, and waits until then.</summary>
    public DateTimeOffset? PollsUntil { get; set; }

    /// <summary>The page's own moment after the opening, where the poll that reaches past the opening ends (2 to 20 s, spread evenly over the pages).</summary>
    public TimeSpan AfterOpening { get; } = TimeSpan.FromSeconds(2 + 18 * (index * 0.6180339887498949 % 1));

    /// <summary>The page has rested and its next request is a look, answered at once.</summary>
    public bool LooksNext { get; set; }

    public string? Pass { get; set; }

    /// <summary>The silo's time of admission: the pass's expiry less the pass's lifetime.</summary>
    public DateTimeOffset? AdmittedAt { get; set; }

    /// <summary>When the page learned of the admission (wall clock).</summary>
    public DateTimeOffset? AdmissionSeenAt { get; set; }

    /// <summary>Tickets held after admission (0 when none); the checkout ran on them.</summary>
    public int Held { get; set; }

    /// <summary>How the buyer's turn ended: bought, sold-out, or why it failed; null while it runs.</summary>
    public string? Outcome { get; set; }
}
