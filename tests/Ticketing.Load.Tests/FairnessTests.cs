using CsCheck;

namespace Ticketing.Load.Tests;

/// <summary>
/// The fairness figures of the on-sale scenario: Spearman's rank correlation
/// with ties on inputs worked by hand, and the inversion counts against a
/// count of every pair.
/// </summary>
public sealed class FairnessTests
{
    private const double Close = 1e-12;

    [Fact]
    public void RankCorrelation_SameOrder_IsOne() =>
        Assert.Equal(1.0, Fairness.RankCorrelation([1, 2, 3, 4, 5], [2, 4, 6, 8, 100]), Close);

    [Fact]
    public void RankCorrelation_ReversedOrder_IsMinusOne() =>
        Assert.Equal(-1.0, Fairness.RankCorrelation([1, 2, 3, 4, 5], [9, 7, 5, 3, 1]), Close);

    [Fact]
    public void RankCorrelation_WithoutTies_MatchesTheSumOfSquaredDifferences()
    {
        // Ten people's IQ and weekly hours of television: the rank differences' squares sum to 194,
        // so rho = 1 - 6 * 194 / (10 * 99) = -29/165.
        double[] iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110];
        double[] hours = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17];

        Assert.Equal(-29.0 / 165, Fairness.RankCorrelation(iq, hours), Close);
    }

    [Fact]
    public void RankCorrelation_WithTies_UsesAverageRanks()
    {
        // y's ranks are 1, 2.5, 2.5, 4, 5: covariance 9.5, variances 10 and 9.5 about the mean rank 3.
        Assert.Equal(9.5 / Math.Sqrt(10 * 9.5), Fairness.RankCorrelation([1, 2, 3, 4, 5], [1, 2, 2, 3, 4]), Close);
    }

    [Fact]
    public void RankCorrelation_AgainstAnOutcome_CountsTheFirstArrivalsWinning()
    {
        // Won (1) or not (0) by arrival: ranks 3.5, 3.5, 1.5, 1.5 against 1..4, covariance -4, variances 5 and 4.
        Assert.Equal(-4 / Math.Sqrt(20), Fairness.RankCorrelation([1, 2, 3, 4], [1, 1, 0, 0]), Close);
    }

    [Fact]
    public void RankCorrelation_ConstantSequence_IsUndefined()
    {
        Assert.True(double.IsNaN(Fairness.RankCorrelation([1, 2, 3], [5, 5, 5])));
        Assert.True(double.IsNaN(Fairness.RankCorrelation([1], [1])));
    }

    [Fact]
    public void Ranks_TiedValues_ShareTheirAverageRank() =>
        Assert.Equal([2.5, 1, 2.5, 4.5, 4.5], Fairness.Ranks([3, 1, 3, 7, 7]));

    [Fact]
    public void RankCorrelation_IsTheSameWhicheverWayTheOrderIsWritten()
    {
        Gen.Int[2, 60].SelectMany(n => Gen.Select(Gen.Int[0, 9].Array[n], Gen.Int[0, 9].Array[n]))
            .Sample(pair =>
            {
                var x = pair.Item1.Select(v => (double)v).ToArray();
                var y = pair.Item2.Select(v => (double)v).ToArray();
                var rho = Fairness.RankCorrelation(x, y);
                var reversed = Fairness.RankCorrelation(x.Reverse().ToArray(), y.Reverse().ToArray());
                return (double.IsNaN(rho) && double.IsNaN(reversed)) || (Math.Abs(rho - reversed) < 1e-9 && rho is >= -1 - 1e-9 and <= 1 + 1e-9);
            }, iter: 500);
    }

    [Theory]
    [InlineData(new long[] { }, 0L)]
    [InlineData(new long[] { 1, 2, 3 }, 0L)]
    [InlineData(new long[] { 3, 1, 2 }, 2L)]
    [InlineData(new long[] { 3, 2, 1 }, 3L)]
    [InlineData(new long[] { 2, 2, 1 }, 2L)]
    [InlineData(new long[] { 5, 5, 5 }, 0L)]
    public void Inversions_KnownSequences(long[] taken, long expected) =>
        Assert.Equal(expected, Fairness.Inversions(taken));

    [Fact]
    public void Inversions_MatchACountOfEveryPair()
    {
        Gen.Long[-20, 20].Array[0, 200].Sample(taken =>
        {
            long pairs = 0;
            for (var i = 0; i < taken.Length; i++)
            {
                for (var j = i + 1; j < taken.Length; j++)
                {
                    pairs += taken[i] > taken[j] ? 1 : 0;
                }
            }

            return Fairness.Inversions(taken) == pairs;
        }, iter: 1000);
    }

    [Fact]
    public void Inversions_ReversedHundredThousand_IsEveryPair()
    {
        const long n = 100_000;
        var reversed = Enumerable.Range(0, (int)n).Select(i => n - i).ToArray();

        Assert.Equal(n * (n - 1) / 2, Fairness.Inversions(reversed));
    }

    [Fact]
    public void OrderedJoins_InFlightTogether_AreNotCompared()
    {
        // The second was sent before the first was answered: either order is fair.
        var (inversions, pairs) = Fairness.InversionsBetweenOrderedJoins([(0, 10, 2), (5, 12, 1)]);

        Assert.Equal(0, inversions);
        Assert.Equal(0, pairs);
    }

    [Fact]
    public void OrderedJoins_TakenOutOfTurn_AreCounted()
    {
        // The first was answered before the second was sent, yet taken after it; the third came in turn.
        var (inversions, pairs) = Fairness.InversionsBetweenOrderedJoins([(0, 1, 2), (5, 6, 1), (10, 11, 3)]);

        Assert.Equal(1, inversions);
        Assert.Equal(3, pairs);
    }

    [Fact]
    public void OrderedJoins_MatchACountOfEveryPair()
    {
        var join = Gen.Select(Gen.Long[0, 100], Gen.Long[0, 20], Gen.Long[0, 30], (sent, took, taken) => (Sent: sent, Answered: sent + took, Taken: taken));
        join.Array[0, 150].Sample(joins =>
        {
            long inversions = 0, pairs = 0;
            foreach (var earlier in joins)
            {
                foreach (var later in joins)
                {
                    if (earlier.Answered < later.Sent)
                    {
                        pairs++;
                        inversions += earlier.Taken > later.Taken ? 1 : 0;
                    }
                }
            }

            return Fairness.InversionsBetweenOrderedJoins(joins) == (inversions, pairs);
        }, iter: 1000);
    }
}
