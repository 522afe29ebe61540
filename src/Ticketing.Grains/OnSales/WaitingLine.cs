using Ticketing.Abstractions.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// One queue shard's places in memory, with no I/O. Before the draw they are
/// kept as they come (all are early, none has a rank yet). A drawn line keeps
/// them in admission order: early places by drawn rank, then late places as
/// they arrive, so admitted places are always a prefix and a place's index
/// says how many of the shard's places come before it. A place costs an
/// entry in the index by buyer, its key and its joining time: a few dozen
/// bytes (WaitingLineTests measures it).
/// </summary>
public sealed class WaitingLine
{
    private readonly Dictionary<PlaceId, int> indexOf;
    private readonly List<QueueKey> keys;
    private readonly List<uint> joinedAt;
    private readonly List<(int Start, DateTimeOffset At)> steps = [];

    private WaitingLine(bool drawn, int capacity)
    {
        Drawn = drawn;
        indexOf = new Dictionary<PlaceId, int>(capacity);
        keys = new List<QueueKey>(capacity);
        joinedAt = new List<uint>(capacity);
    }

    /// <summary>Whether the early places have their drawn ranks (the opening is durable).</summary>
    public bool Drawn { get; }

    public int Count => keys.Count;

    /// <summary>Places admitted: the first this many.</summary>
    public int AdmittedCount { get; private set; }

    public int Waiting => Count - AdmittedCount;

    /// <summary>The last admission step applied; 0 before the first.</summary>
    public int LastStep { get; private set; }

    /// <summary>The last step's frontier: every place at or before it is admitted.</summary>
    public QueueKey Frontier { get; private set; } = QueueKey.BeforeAll;

    /// <summary>A line before the draw: places are added as they come.</summary>
    public static WaitingLine Undrawn() => new(drawn: false, capacity: 0);

    /// <summary>A drawn line of <paramref name="places"/> (keys with their ranks), put in admission order.</summary>
    public static WaitingLine InDrawnOrder(IReadOnlyCollection<(PlaceId Id, QueueKey Key, DateTimeOffset JoinedAt)> places)
    {
        var line = new WaitingLine(drawn: true, places.Count);
        foreach (var (id, key, joined) in places.OrderBy(place => place.Key))
        {
            line.Put(id, key, joined);
        }

        return line;
    }

    /// <summary>A line before the draw holding <paramref name="places"/>.</summary>
    public static WaitingLine Undrawn(IReadOnlyCollection<(PlaceId Id, QueueKey Key, DateTimeOffset JoinedAt)> places)
    {
        var line = new WaitingLine(drawn: false, places.Count);
        foreach (var (id, key, joined) in places)
        {
            line.Put(id, key, joined);
        }

        return line;
    }

    public bool Contains(PlaceId id) => indexOf.ContainsKey(id);

    public bool TryFind(PlaceId id, out int index) => indexOf.TryGetValue(id, out index);

    public QueueKey KeyAt(int index) => keys[index];

    public DateTimeOffset JoinedAt(int index) => DateTimeOffset.FromUnixTimeSeconds(joinedAt[index]);

    /// <summary>
    /// Adds a place just written. A drawn line takes it only after every place
    /// it has (a late place's arrival is above every other's); false when it
    /// does not fit there, and the line is unchanged.
    /// </summary>
    public bool Add(PlaceId id, QueueKey key, DateTimeOffset joined)
    {
        if (indexOf.ContainsKey(id) || (Drawn && Count > 0 && key <= keys[^1]))
        {
            return false;
        }

        Put(id, key, joined);
        AdmitUpTo(Frontier);
        return true;
    }

    /// <summary>The first <paramref name="count"/> places not admitted, in admission order.</summary>
    public IReadOnlyList<QueueKey> Next(int count) => keys.GetRange(AdmittedCount, Math.Min(count, Waiting));

    /// <summary>
    /// Applies the next admission step: the places up to its frontier are
    /// admitted at its time. Answers the indexes it admitted, from (inclusive)
    /// and to (exclusive).
    /// </summary>
    public (int From, int To) Admit(AdmissionStep step)
    {
        if (!Drawn)
        {
            throw new InvalidOperationException("A line is admitted from only once drawn.");
        }

        if (step.Number != LastStep + 1)
        {
            throw new InvalidOperationException($"Admission step {step.Number} after step {LastStep}.");
        }

        var from = AdmittedCount;
        Frontier = step.Frontier;
        LastStep = step.Number;
        steps.Add((from, step.AdmittedAt));
        AdmitUpTo(Frontier);
        return (from, AdmittedCount);
    }

    /// <summary>When the place at <paramref name="index"/> was admitted; null while it waits.</summary>
    public DateTimeOffset? AdmittedAt(int index)
    {
        if (index >= AdmittedCount)
        {
            return null;
        }

        // Admitted by the last step that started at or before it (a step starts where the one before it ended).
        var low = 0;
        var high = steps.Count - 1;
        while (low < high)
        {
            var middle = (low + high + 1) / 2;
            if (steps[middle].Start <= index)
            {
                low = middle;
            }
            else
            {
                high = middle - 1;
            }
        }

        return steps[low].At;
    }

    private void Put(PlaceId id, QueueKey key, DateTimeOffset joined)
    {
        indexOf.Add(id, keys.Count);
        keys.Add(key);
        joinedAt.Add((uint)joined.ToUnixTimeSeconds());
    }

    private void AdmitUpTo(QueueKey frontier)
    {
        while (AdmittedCount < Count && keys[AdmittedCount] <= frontier)
        {
            AdmittedCount++;
        }
    }
}
