namespace Ticketing.Api.Auth;

/// <summary>The three roles a bearer token may carry; each is also a policy of the same name.</summary>
internal static class Roles
{
    public const string Organizer = "organizer";
    public const string Buyer = "buyer";
    public const string Scanner = "scanner";

    public static readonly IReadOnlyList<string> All = [Organizer, Buyer, Scanner];
}
