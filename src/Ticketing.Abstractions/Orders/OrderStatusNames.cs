using System.Diagnostics.CodeAnalysis;

namespace Ticketing.Abstractions.Orders;

/// <summary>The statuses as the contract and the database spell them (snake_case).</summary>
public static class OrderStatusNames
{
    private static readonly Dictionary<OrderStatus, string> Names = Enum.GetValues<OrderStatus>().ToDictionary(s => s, Snake);
    private static readonly Dictionary<string, OrderStatus> Statuses = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every status's contract name.</summary>
    public static IReadOnlyCollection<string> All => Statuses.Keys;

    /// <summary>The status's contract name, such as <c>awaiting_payment</c>.</summary>
    public static string Name(this OrderStatus status) => Names[status];

    /// <summary>The status named <paramref name="name"/>; throws on an unknown name.</summary>
    public static OrderStatus Parse(string name) =>
        TryParse(name, out var status) ? status : throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown order status.");

    /// <summary>The status named <paramref name="name"/>; false for null or an unknown name.</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out OrderStatus status)
    {
        status = default;
        return name is not null && Statuses.TryGetValue(name, out status);
    }

    private static string Snake(OrderStatus status) =>
        string.Concat(status.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
