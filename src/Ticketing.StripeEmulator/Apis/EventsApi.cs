using Ticketing.StripeEmulator.Events;
using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Apis;

internal static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/events", List);
        v1.MapGet("/events/{id}", Get);
    }

    public static StripeResult List(ApiRequest request, Ledger ledger) =>
        StripeResult.Ok(ledger.ListEvents(EventQuery.From(request.Parameters)));

    public static StripeResult Get(string id, Ledger ledger) => StripeResult.Ok(ledger.GetEvent(id));
}
