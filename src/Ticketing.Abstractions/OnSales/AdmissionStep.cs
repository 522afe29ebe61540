namespace Ticketing.Abstractions.OnSales;

/// <summary>
/// One admission step of an on-sale's queue, durable before any shard hears
/// of it: every place at or before <paramref name="Frontier"/> not admitted
/// by an earlier step is admitted at <paramref name="AdmittedAt"/>.
/// </summary>
/// <param name="Number">1 for the first step, then one more each step.</param>
/// <param name="Frontier">The last place this step admits.</param>
/// <param name="AdmittedAt">When this step's buyers were admitted; their passes run from it.</param>
/// <param name="AdmittedTotal">Buyers admitted by this step and every earlier one.</param>
[GenerateSerializer, Immutable]
public sealed record AdmissionStep(
    [property: Id(0)] int Number,
    [property: Id(1)] QueueKey Frontier,
    [property: Id(2)] DateTimeOffset AdmittedAt,
    [property: Id(3)] long AdmittedTotal);
