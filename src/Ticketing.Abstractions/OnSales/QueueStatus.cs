namespace Ticketing.Abstractions.OnSales;

/// <summary>Where a buyer's place in the waiting room stands.</summary>
public enum QueueStatus
{
    /// <summary>Not admitted yet.</summary>
    Waiting,

    /// <summary>Admitted, with a live pass.</summary>
    Admitted,

    /// <summary>Admitted, and the pass has run out.</summary>
    Expired,
}
