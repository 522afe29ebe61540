namespace Ticketing.Abstractions.OnSales;

/// <summary>
/// A queue shard could not make places durable (the database failed) and is
/// reading its places again. The places of the request may or may not have
/// been kept; joining again is safe and answers the one place.
/// </summary>
[GenerateSerializer]
public sealed class QueueUnavailableException : Exception
{
    /// <summary>Creates the exception for an on-sale's queue.</summary>
    /// <param name="onSaleId">The on-sale whose shard failed to write.</param>
    public QueueUnavailableException(Guid onSaleId)
        : base($"The waiting room of on-sale {onSaleId} could not make the place durable. Join again.")
    {
        OnSaleId = onSaleId;
    }

    /// <summary>The on-sale whose shard failed to write.</summary>
    [Id(0)]
    public Guid OnSaleId { get; }
}
