namespace Ticketing.Abstractions.Orders;

/// <summary>Who to reach about an order.</summary>
/// <param name="Email">The buyer's e-mail address.</param>
/// <param name="Name">The buyer's name.</param>
/// <param name="Phone">An optional phone number.</param>
[GenerateSerializer, Immutable]
public sealed record OrderContact(
    [property: Id(0)] string Email,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Phone);
