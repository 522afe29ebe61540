namespace Ticketing.Abstractions.OnSales;

/// <summary>An admitted buyer's pass: what the <c>Admission-Pass</c> header of a hold carries.</summary>
/// <param name="Token">The signed pass.</param>
/// <param name="ExpiresAt">When it stops working.</param>
[GenerateSerializer, Immutable]
public sealed record AdmissionPass(
    [property: Id(0)] string Token,
    [property: Id(1)] DateTimeOffset ExpiresAt);
