using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Apis;

internal static class RefundsApi
{
    public static void MapRefundsApi(this IEndpointRouteBuilder v1)
    {
        v1.MapPost("/refunds", Create);
        v1.MapGet("/refunds/{id}", Get);
    }

    public static StripeResult Create(ApiRequest request, Ledger ledger) =>
        StripeResult.Ok(ledger.Expand(ledger.CreateRefund(RefundCreation.From(request.Parameters), request.Origin), request.Parameters.Array("expand")));

    public static StripeResult Get(string id, ApiRequest request, Ledger ledger) =>
        StripeResult.Ok(ledger.Expand(ledger.GetRefund(id), request.Parameters.Array("expand")));
}
