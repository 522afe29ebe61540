using Ticketing.Abstractions.OnSales;
using Ticketing.Grains.OnSales;
using Xunit.Abstractions;

namespace Ticketing.Grains.Tests;

public sealed class WaitingLineTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Opening = new(2031, 1, 1, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ADrawnLine_TakesLatePlacesAtItsEnd_AndAdmitsAPrefix()
    {
        var line = WaitingLine.InDrawnOrder([(Id("b"), QueueKey.Early(30, 2), Opening), (Id("a"), QueueKey.Early(-4, 1), Opening)]);

        Assert.True(line.Add(Id("c"), QueueKey.LateArrival(3), Opening.AddSeconds(1)));
        Assert.False(line.Add(Id("c"), QueueKey.LateArrival(4), Opening.AddSeconds(1)));
        Assert.False(line.Add(Id("d"), QueueKey.Early(0, 5), Opening.AddSeconds(1)));
        Assert.Equal([QueueKey.Early(-4, 1), QueueKey.Early(30, 2), QueueKey.LateArrival(3)], line.Next(10));
        Assert.True(line.TryFind(Id("b"), out var b));
        Assert.Equal(1, b);

        var (from, to) = line.Admit(new AdmissionStep(1, QueueKey.Early(30, 2), Opening.AddSeconds(5), 2));

        Assert.Equal((0, 2), (from, to));
        Assert.Equal(1, line.Waiting);
        Assert.Equal([QueueKey.LateArrival(3)], line.Next(10));
        Assert.Equal(Opening.AddSeconds(5), line.AdmittedAt(0));
        Assert.Null(line.AdmittedAt(2));
    }

    [Fact]
    public void AdmittedAt_IsTheTimeOfTheStepThatReachedThePlace()
    {
        var line = WaitingLine.InDrawnOrder([.. Enumerable.Range(1, 6).Select(i => (Id($"u{i}"), QueueKey.LateArrival(i), Opening))]);

        line.Admit(new AdmissionStep(1, QueueKey.LateArrival(2), Opening.AddSeconds(1), 2));
        line.Admit(new AdmissionStep(2, QueueKey.LateArrival(2), Opening.AddSeconds(2), 2));
        line.Admit(new AdmissionStep(3, QueueKey.LateArrival(5), Opening.AddSeconds(3), 5));

        Assert.Equal(
            [Opening.AddSeconds(1), Opening.AddSeconds(1), Opening.AddSeconds(3), Opening.AddSeconds(3), Opening.AddSeconds(3), null],
            Enumerable.Range(0, 6).Select(line.AdmittedAt));
        Assert.Throws<InvalidOperationException>(() => line.Admit(new AdmissionStep(5, QueueKey.LateArrival(6), Opening, 6)));
    }

    [Fact]
    public void AMillionWaitingBuyers_TakeAFewDozenBytesEach()
    {
        const int buyers = 1_000_000;
        var ids = new PlaceId[buyers];
        for (var i = 0; i < buyers; i++)
        {
            ids[i] = PlaceId.Of($"buyer-{i:D7}");
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var line = WaitingLine.Undrawn();
        for (var i = 0; i < buyers; i++)
        {
            line.Add(ids[i], QueueKey.Early(0, i + 1), Opening);
        }

        var bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(line);
        var perBuyer = (double)bytes / buyers;
        output.WriteLine($"{buyers} waiting buyers: {bytes / 1048576.0:F0} MiB, {perBuyer:F0} bytes a buyer");
        // An entry in the index by buyer, the key and the joining time, and
        // the slack of arrays that grow by doubling.
        Assert.InRange(perBuyer, 40, 128);
    }

    private static PlaceId Id(string user) => PlaceId.Of(user);
}
