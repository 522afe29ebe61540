using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Apis;

internal static class ChargesApi
{
    public static void MapChargesApi(this IEndpointRouteBuilder v1) => v1.MapGet("/charges/{id}", Get);

    public static StripeResult Get(string id, ApiRequest request, Ledger ledger) =>
        StripeResult.Ok(ledger.Expand(ledger.GetCharge(id), request.Parameters.Array("expand")));
}
