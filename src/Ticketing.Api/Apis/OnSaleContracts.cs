using Ticketing.Abstractions.OnSales;

namespace Ticketing.Api.Apis;

internal sealed record PutOnSaleRequest(DateTimeOffset? OpensAt, int? AdmitPerMinute, int? PassMinutes, int? MaxPerBuyer)
{
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        if (OpensAt is null)
        {
            errors["opensAt"] = ["opensAt is required, as an ISO 8601 time with offset."];
        }

        if (AdmitPerMinute is null or < 1 or > 1_000_000)
        {
            errors["admitPerMinute"] = ["admitPerMinute is required, from 1 to 1000000."];
        }

        if (PassMinutes is < 1 or > 1440)
        {
            errors["passMinutes"] = ["passMinutes is from 1 to 1440."];
        }

        if (MaxPerBuyer is < 1 or > 1000)
        {
            errors["maxPerBuyer"] = ["maxPerBuyer is from 1 to 1000, or null for no cap beyond the tiers' maxPerOrder."];
        }

        return errors;
    }

    /// <summary>The rules asked for, as stored (to the microsecond); the id names a new on-sale.</summary>
    public OnSaleRules ToRules(Guid eventId) => new(
        Guid.CreateVersion7(),
        eventId,
        new DateTimeOffset(OpensAt!.Value.UtcTicks / 10 * 10, TimeSpan.Zero),
        AdmitPerMinute!.Value,
        PassMinutes ?? OnSaleRules.DefaultPassMinutes,
        MaxPerBuyer);
}

internal sealed record OnSaleResponse(
    Guid EventId, DateTimeOffset OpensAt, int AdmitPerMinute, int PassMinutes, int? MaxPerBuyer, string Status, long Waiting, long Admitted)
{
    public static OnSaleResponse From(OnSaleView view) => new(
        view.Rules.EventId, view.Rules.OpensAt, view.Rules.AdmitPerMinute, view.Rules.PassMinutes, view.Rules.MaxPerBuyer,
        view.Open ? "open" : "scheduled", view.Waiting, view.Admitted);
}

internal sealed record PassResponse(string Token, DateTimeOffset ExpiresAt);

internal sealed record QueueTicketResponse(
    Guid EventId, string Status, long? Position, DateTimeOffset JoinedAt, DateTimeOffset EstimatedAdmissionAt, PassResponse? Pass)
{
    public static QueueTicketResponse From(QueueTicket ticket) => new(
        ticket.EventId,
        ticket.Status switch
        {
            QueueStatus.Waiting => "waiting",
            QueueStatus.Admitted => "admitted",
            _ => "expired",
        },
        ticket.Position,
        ticket.JoinedAt,
        ticket.EstimatedAdmissionAt,
        ticket.Pass is { } pass ? new PassResponse(pass.Token, pass.ExpiresAt) : null);
}
