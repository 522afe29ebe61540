using System.Net;
using System.Net.Sockets;

namespace Ticketing.Api.Limits;

/// <summary>Whose bucket a request takes from: a user's (the token's <c>sub</c>) or a client address's.</summary>
internal readonly record struct Caller(bool IsAddress, string Id)
{
    /// <summary>
    /// The caller of an authenticated route is its user (authorization has
    /// run). An anonymous route's is its user too when the request carries
    /// a valid token, so that buyers behind one address (a venue's Wi-Fi,
    /// a carrier's NAT) do not share one bucket; otherwise its address.
    /// </summary>
    public static Caller Of(HttpContext context) =>
        context.User.FindFirst("sub")?.Value is { Length: > 0 } user
            ? new Caller(false, user)
            : new Caller(true, Address(context.Connection.RemoteIpAddress));

    /// <summary>An IPv4 address, or an IPv6 address's /64: one subscriber gets a whole /64 and could walk through it.</summary>
    private static string Address(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }
}
