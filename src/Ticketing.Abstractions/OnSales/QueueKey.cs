namespace Ticketing.Abstractions.OnSales;

/// <summary>
/// A place's position in the admission order. Early places (taken before the
/// opening) come first, by their drawn <paramref name="Rank"/>; late places
/// follow by <paramref name="Arrival"/>. Arrival numbers are unique, so the
/// order is total.
/// </summary>
/// <param name="Late">Taken after the opening.</param>
/// <param name="Rank">The drawn rank of an early place; the arrival of a late one.</param>
/// <param name="Arrival">When the place was written, as a number from one sequence.</param>
[GenerateSerializer, Immutable]
public readonly record struct QueueKey(
    [property: Id(0)] bool Late,
    [property: Id(1)] long Rank,
    [property: Id(2)] long Arrival) : IComparable<QueueKey>
{
    /// <summary>Before every place: the frontier of an admission that has admitted nobody.</summary>
    public static QueueKey BeforeAll { get; } = new(false, long.MinValue, long.MinValue);

    /// <summary>An early place, by the rank drawn for it at the opening.</summary>
    public static QueueKey Early(long rank, long arrival) => new(false, rank, arrival);

    /// <summary>A late place, by its arrival.</summary>
    public static QueueKey LateArrival(long arrival) => new(true, arrival, arrival);

    /// <inheritdoc/>
    public int CompareTo(QueueKey other) =>
        Late != other.Late ? Late.CompareTo(other.Late)
        : Rank != other.Rank ? Rank.CompareTo(other.Rank)
        : Arrival.CompareTo(other.Arrival);

    /// <summary>Admission order.</summary>
    public static bool operator <(QueueKey left, QueueKey right) => left.CompareTo(right) < 0;

    /// <summary>Admission order.</summary>
    public static bool operator >(QueueKey left, QueueKey right) => left.CompareTo(right) > 0;

    /// <summary>Admission order.</summary>
    public static bool operator <=(QueueKey left, QueueKey right) => left.CompareTo(right) <= 0;

    /// <summary>Admission order.</summary>
    public static bool operator >=(QueueKey left, QueueKey right) => left.CompareTo(right) >= 0;
}
