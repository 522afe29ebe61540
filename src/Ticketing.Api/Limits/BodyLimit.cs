namespace Ticketing.Api.Limits;

/// <summary>The largest request body an endpoint reads; endpoints without one get <see cref="BodyLimits.Default"/>.</summary>
internal sealed record BodyLimit(long Bytes);
