using System.Text.Json;

namespace Ticketing.Load.Scenarios;

/// <summary>The fields of a <c>QueueTicket</c> the on-sale scenario reads.</summary>
public sealed record QueueAnswer(string Status, int? Position, DateTimeOffset? JoinedAt, DateTimeOffset? EstimatedAdmissionAt, string? PassToken, DateTimeOffset? PassExpiresAt)
{
    public bool Admitted => Status == "admitted";

    public static QueueAnswer Parse(string? json)
    {
        using var document = JsonDocument.Parse(json ?? "null");
        var ticket = document.RootElement;
        var pass = Field(ticket, "pass");
        return new QueueAnswer(
            Field(ticket, "status")?.GetString() ?? "",
            Field(ticket, "position")?.GetInt32(),
            Field(ticket, "joinedAt")?.GetDateTimeOffset(),
            Field(ticket, "estimatedAdmissionAt")?.GetDateTimeOffset(),
            pass is { } p ? Field(p, "token")?.GetString() : null,
            pass is { } q ? Field(q, "expiresAt")?.GetDateTimeOffset() : null);
    }

    private static JsonElement? Field(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;
}
