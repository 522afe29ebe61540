namespace Ticketing.Domain.Orders;

/// <summary>Where a payment dispute stands.</summary>
public enum DisputeState
{
    None,
    Open,
    Won,
    Lost,
}
