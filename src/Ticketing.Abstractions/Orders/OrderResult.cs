namespace Ticketing.Abstractions.Orders;

/// <summary>The answer to an order request: the order as it now stands, or why not.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="Order">The order after the request, when there is one.</param>
/// <param name="Detail">What a person should read when it failed.</param>
[GenerateSerializer, Immutable]
public sealed record OrderResult(
    [property: Id(0)] OrderOutcome Outcome,
    [property: Id(1)] OrderSnapshot? Order,
    [property: Id(2)] string? Detail = null);
