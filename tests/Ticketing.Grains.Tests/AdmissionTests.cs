using System.Security.Cryptography;
using CsCheck;
using Ticketing.Abstractions.OnSales;
using Ticketing.Grains.OnSales;

namespace Ticketing.Grains.Tests;

/// <summary>
/// The draw and admission without a silo: the drawn order is a permutation
/// replayable from the seed and different for another seed, and admission
/// rounds over several shards' lines admit exactly the places a single
/// sorted list (the model) would, each once, in order.
/// </summary>
public sealed class AdmissionTests
{
    private static readonly DateTimeOffset Opening = new(2031, 1, 1, 20, 0, 0, TimeSpan.Zero);

    private static readonly Gen<string[]> Buyers =
        Gen.Int[1, 300].Select(count => Enumerable.Range(0, count).Select(i => $"buyer-{i}-{Guid.NewGuid():N}").ToArray());

    private static readonly Gen<byte[]> Seeds = Gen.Byte.Array[32];

    [Fact]
    public void TheDraw_IsAPermutationOfTheEarlyPlaces_ThatTheSeedReplays() =>
        Gen.Select(Buyers, Seeds).Sample((buyers, seed) =>
        {
            var drawn = Draw(buyers, seed);
            var replayed = Draw(buyers, [.. seed]);

            Assert.Equal(buyers.Order(), drawn.Order());
            Assert.Equal(drawn, replayed);
        }, iter: 200);

    [Fact]
    public void TheDraw_DiffersFromOneOnSaleToAnother()
    {
        var buyers = Enumerable.Range(0, 50).Select(i => $"buyer-{i}").ToArray();

        var first = Draw(buyers, RandomNumberGenerator.GetBytes(32));
        var second = Draw(buyers, RandomNumberGenerator.GetBytes(32));

        // Equal by chance once in 50! draws.
        Assert.NotEqual(first, second);
        Assert.NotEqual(buyers, first);
    }

    [Fact]
    public void TheDraw_GivesEveryPlaceTheSameChanceOfComingFirst()
    {
        // 8 buyers, 8,000 draws: each should come first about 1,000 times.
        var buyers = Enumerable.Range(0, 8).Select(i => $"buyer-{i}").ToArray();
        var first = new int[buyers.Length];
        for (var draw = 0; draw < 8_000; draw++)
        {
            first[Array.IndexOf(buyers, Draw(buyers, RandomNumberGenerator.GetBytes(32))[0])]++;
        }

        // A chi-square over 7 degrees of freedom is above 29.9 once in 10,000 runs for a fair draw.
        var chiSquare = first.Sum(count => Math.Pow(count - 1000.0, 2) / 1000.0);
        Assert.True(chiSquare < 29.9, $"first places: {string.Join(", ", first)}");
    }

    [Fact]
    public void Rounds_OverShards_AdmitWhatOneSortedListWould_EachOnceInOrder() =>
        Gen.Select(Buyers, Gen.Int[0, 300], Seeds, Gen.Int[0, 60].Array[1, 40]).Sample((early, lateCount, seed, dues) =>
        {
            var late = Enumerable.Range(0, lateCount).Select(i => $"late-{i}").ToArray();
            var arrival = 0L;
            var places = early.Select(user => (User: user, Key: Admission.KeyOf(seed, user, ++arrival, early: true)))
                .Concat(late.Select(user => (User: user, Key: Admission.KeyOf(seed, user, ++arrival, early: false))))
                .ToList();
            var lines = Enumerable.Range(0, QueueShards.Count)
                .Select(shard => WaitingLine.InDrawnOrder([.. places
                    .Where(place => QueueShards.Of(place.User) == shard)
                    .Select(place => (PlaceId.Of(place.User), place.Key, Opening))]))
                .ToArray();
            var model = places.Select(place => place.Key).Order().ToList();
            var admitted = new List<QueueKey>();
            var step = 0;
            foreach (var due in dues)
            {
                var chosen = Admission.Choose(lines.Select(line => line.Next(due)), due, watermark: arrival);
                Assert.Equal(model.Skip(admitted.Count).Take(due), chosen);
                if (chosen.Count == 0)
                {
                    continue;
                }

                admitted.AddRange(chosen);
                var admission = new AdmissionStep(++step, chosen[^1], Opening.AddSeconds(step), admitted.Count);
                var newlyAdmitted = 0;
                foreach (var line in lines)
                {
                    var (from, to) = line.Admit(admission);
                    newlyAdmitted += to - from;
                }

                Assert.Equal(chosen.Count, newlyAdmitted);
            }

            Assert.Equal(admitted.Count, lines.Sum(line => line.AdmittedCount));
            foreach (var (user, key) in places)
            {
                var line = lines[QueueShards.Of(user)];
                Assert.True(line.TryFind(PlaceId.Of(user), out var index));
                var rank = model.IndexOf(key);
                Assert.Equal(rank < admitted.Count, line.AdmittedAt(index) is not null);
            }
        }, iter: 300);

    [Fact]
    public void Choose_StopsAtALatePlaceStillBeingWrittenElsewhere()
    {
        var next = new[]
        {
            (IReadOnlyList<QueueKey>)[QueueKey.Early(-5, 1), QueueKey.LateArrival(7)],
            [QueueKey.LateArrival(9), QueueKey.LateArrival(12)],
        };

        Assert.Equal([QueueKey.Early(-5, 1), QueueKey.LateArrival(7), QueueKey.LateArrival(9)], Admission.Choose(next, due: 10, watermark: 10));
        Assert.Equal([QueueKey.Early(-5, 1)], Admission.Choose(next, due: 1, watermark: 10));
    }

    [Fact]
    public void Allowance_FollowsTheRate_AndCarryIsAtLeastOneBuyer()
    {
        var onSale = new OnSaleRules(Guid.NewGuid(), Guid.NewGuid(), Opening, AdmitPerMinute: 600, PassMinutes: 10, MaxPerBuyer: null);

        Assert.Equal(0, Admission.Allowance(onSale, Opening, Opening.AddSeconds(-3)));
        Assert.Equal(25, Admission.Allowance(onSale, Opening, Opening.AddSeconds(2.5)));
        Assert.Equal(6000, Admission.Allowance(onSale, Opening, Opening.AddMinutes(10)));
        Assert.Equal(50, Admission.Carry(onSale));
        Assert.Equal(1, Admission.Carry(onSale with { AdmitPerMinute = 1 }));
    }

    /// <summary>The early places in drawn order, as a drawn line keeps them.</summary>
    private static string[] Draw(string[] buyers, byte[] seed)
    {
        var keys = buyers.Select((user, i) => (User: user, Key: Admission.KeyOf(seed, user, i + 1, early: true))).ToList();
        var line = WaitingLine.InDrawnOrder([.. keys.Select(k => (PlaceId.Of(k.User), k.Key, Opening))]);
        var byKey = keys.ToDictionary(k => k.Key, k => k.User);
        return [.. line.Next(buyers.Length).Select(key => byKey[key])];
    }
}
