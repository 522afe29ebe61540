namespace Ticketing.StripeEmulator.Payments;

/// <summary>The dispute statuses the emulator uses: opened as needing a response, closed as won or lost.</summary>
public static class DisputeStatus
{
    public const string NeedsResponse = "needs_response";
    public const string Won = "won";
    public const string Lost = "lost";
}
