using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Ticketing.Grains.OnSales;

/// <summary>
/// A buyer as a queue shard remembers them: 128 bits of SHA-256 of the user
/// id, so a waiting buyer costs a few words of memory rather than a string
/// (two user ids sharing one is not going to happen). The same id also picks
/// the buyer's shard.
/// </summary>
public readonly record struct PlaceId(ulong High, ulong Low)
{
    public static PlaceId Of(string userId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(userId), hash);
        return new PlaceId(BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash[8..]));
    }

    public override int GetHashCode() => (int)Low;
}
