using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ticketing.Abstractions.OnSales;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// The rules of admission from a waiting room, with no I/O: the drawn order
/// of early places, how many buyers are due, and which places the next step
/// admits.
/// </summary>
public static class Admission
{
    /// <summary>At most this many buyers a step, to bound what shards send (a million a minute is under 17,000 a second).</summary>
    public const int MostPerStep = 20_000;

    /// <summary>Unused allowance lapses beyond this many seconds of the rate: after a quiet spell, arrivals are not let in all at once.</summary>
    public const int CarrySeconds = 5;

    /// <summary>
    /// An early place's drawn rank: the first 8 bytes of HMAC-SHA256 keyed
    /// with the opening's seed over the user id (UTF-8), as a signed
    /// big-endian integer. A seed nobody knows before the opening makes the
    /// order a uniformly random one nobody can aim for; the stored seed lets
    /// an audit replay it.
    /// </summary>
    public static long Rank(byte[] seed, string userId)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(seed, Encoding.UTF8.GetBytes(userId), mac);
        return BinaryPrimitives.ReadInt64BigEndian(mac);
    }

    /// <summary>A place's key in the admission order, as stored: early places by drawn rank, late ones by arrival.</summary>
    public static QueueKey KeyOf(byte[] seed, string userId, long arrival, bool early) =>
        early ? QueueKey.Early(Rank(seed, userId), arrival) : QueueKey.LateArrival(arrival);

    /// <summary>Buyers the rate lets in from the opening until <paramref name="now"/>.</summary>
    public static long Allowance(OnSaleRules onSale, DateTimeOffset openedAt, DateTimeOffset now) =>
        now <= openedAt ? 0 : (long)Math.Floor(onSale.AdmitPerMinute * (now - openedAt).TotalMinutes);

    /// <summary>The most allowance carried from one step to the next: a few seconds of the rate, and at least one buyer.</summary>
    public static long Carry(OnSaleRules onSale) =>
        Math.Max(1, (long)Math.Ceiling(onSale.AdmitPerMinute * CarrySeconds / 60.0));

    /// <summary>
    /// The places the next step admits: the first <paramref name="due"/> of
    /// the shards' next places in admission order, but no late place numbered
    /// above <paramref name="watermark"/> (one still being written elsewhere
    /// may come before it).
    /// </summary>
    public static IReadOnlyList<QueueKey> Choose(IEnumerable<IReadOnlyList<QueueKey>> next, int due, long watermark)
    {
        var merged = next.SelectMany(keys => keys).Order().ToList();
        var chosen = new List<QueueKey>(Math.Min(due, merged.Count));
        foreach (var key in merged)
        {
            if (chosen.Count == due || (key.Late && key.Arrival > watermark))
            {
                break;
            }

            chosen.Add(key);
        }

        return chosen;
    }
}
