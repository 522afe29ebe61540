namespace Ticketing.Api.Auth;

/// <summary>The roles a bearer token may carry; each is also a policy of the same name.</summary>
internal static class Roles
{
    public const string Organizer = "organizer";
    public const string Buyer = "buyer";
    public const string Scanner = "scanner";

    /// <summary>Runs the platform: alerts, reconciliation, erasure, every event's readiness, the dashboard.</summary>
    public const string Operator = "operator";

    /// <summary>Policy: a buyer (for their own things) or an organizer (for their organizations' events).</summary>
    public const string BuyerOrOrganizer = "buyer-or-organizer";

    /// <summary>Policy: an organizer (their organizations' events) or an operator (every event).</summary>
    public const string OrganizerOrOperator = "organizer-or-operator";

    public static readonly IReadOnlyList<string> All = [Organizer, Buyer, Scanner, Operator];
}
