namespace Ticketing.Load;

/// <summary>
/// How fairly a waiting room took its buyers. Early joiners should come out
/// in an order unrelated to when they joined (a rank correlation near 0), and
/// later joiners in exactly the order they joined (no inversions). Counts are
/// O(n log n): a run has a hundred thousand buyers, and all pairs are five
/// billion.
/// </summary>
public static class Fairness
{
    /// <summary>
    /// Spearman's rank correlation: the Pearson correlation of the two
    /// sequences' ranks, tied values sharing their average rank. NaN when
    /// fewer than two values, or when either sequence is constant.
    /// </summary>
    public static double RankCorrelation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count)
        {
            throw new ArgumentException("Both sequences need the same length.", nameof(y));
        }

        if (x.Count < 2)
        {
            return double.NaN;
        }

        var rx = Ranks(x);
        var ry = Ranks(y);
        // Average ranks always average (n + 1) / 2, ties or not.
        var mean = (x.Count + 1) / 2.0;
        double covariance = 0, varianceX = 0, varianceY = 0;
        for (var i = 0; i < rx.Length; i++)
        {
            var dx = rx[i] - mean;
            var dy = ry[i] - mean;
            covariance += dx * dy;
            varianceX += dx * dx;
            varianceY += dy * dy;
        }

        return varianceX == 0 || varianceY == 0 ? double.NaN : covariance / Math.Sqrt(varianceX * varianceY);
    }

    /// <summary>Ranks from 1; tied values get the average of the ranks they span.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).ToArray();
        Array.Sort(order, (a, b) => values[a].CompareTo(values[b]));
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]].CompareTo(values[order[start]]) == 0)
            {
                end++;
            }

            // Positions start..end (0-based) are ranks start+1..end+1.
            var average = (start + end) / 2.0 + 1;
            for (var i = start; i <= end; i++)
            {
                ranks[order[i]] = average;
            }

            start = end + 1;
        }

        return ranks;
    }

    /// <summary>
    /// Pairs taken out of turn: i before j in the sequence, yet
    /// <paramref name="taken"/>[i] after <paramref name="taken"/>[j]. Equal
    /// values are not an inversion.
    /// </summary>
    public static long Inversions(IReadOnlyList<long> taken)
    {
        var ranks = DenseRanks(taken);
        var seen = new Fenwick(ranks.Length);
        long inversions = 0;
        for (var j = 0; j < ranks.Length; j++)
        {
            // Earlier ones taken strictly later than this one.
            inversions += j - seen.CountAtMost(ranks[j]);
            seen.Add(ranks[j]);
        }

        return inversions;
    }

    /// <summary>
    /// Inversions among joins that were ordered for certain: pairs where one
    /// buyer's join was answered (so its place was durable) before the other's
    /// was sent, yet the other was taken first. Joins in flight together may
    /// fairly be taken either way round and are not compared; the answer also
    /// says how many pairs were.
    /// </summary>
    /// <param name="joins">Each buyer's join: when it was sent, when its answer came (same clock), and its place in the admission order (equal places are not an inversion).</param>
    public static (long Inversions, long OrderedPairs) InversionsBetweenOrderedJoins(IReadOnlyList<(long Sent, long Answered, long Taken)> joins)
    {
        var ranks = DenseRanks(joins.Select(join => join.Taken).ToArray());
        var byAnswer = Enumerable.Range(0, joins.Count).OrderBy(i => joins[i].Answered).ToArray();
        var bySending = Enumerable.Range(0, joins.Count).OrderBy(i => joins[i].Sent).ToArray();
        var answered = new Fenwick(ranks.Length);
        long inversions = 0, pairs = 0, added = 0;
        var next = 0;
        foreach (var later in bySending)
        {
            // Every join answered before this one was sent came, for certain, before it.
            while (next < byAnswer.Length && joins[byAnswer[next]].Answered < joins[later].Sent)
            {
                answered.Add(ranks[byAnswer[next++]]);
                added++;
            }

            pairs += added;
            inversions += added - answered.CountAtMost(ranks[later]);
        }

        return (inversions, pairs);
    }

    /// <summary>Values replaced by their rank among the distinct values, from 1.</summary>
    private static int[] DenseRanks(IReadOnlyList<long> values)
    {
        var distinct = values.Distinct().Order().ToArray();
        return values.Select(value => Array.BinarySearch(distinct, value) + 1).ToArray();
    }

    /// <summary>Counts of ranks 1..n seen so far, with prefix sums in O(log n).</summary>
    private sealed class Fenwick(int size)
    {
        private readonly long[] counts = new long[size + 1];

        public void Add(int rank)
        {
            for (var i = rank; i < counts.Length; i += i & -i)
            {
                counts[i]++;
            }
        }

        public long CountAtMost(int rank)
        {
            long sum = 0;
            for (var i = rank; i > 0; i -= i & -i)
            {
                sum += counts[i];
            }

            return sum;
        }
    }
}
