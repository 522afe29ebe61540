using Ticketing.StripeEmulator.Payments;
using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Apis;

/// <summary>Reading disputes; they are opened and closed through the emulator's controls.</summary>
internal static class DisputesApi
{
    public static void MapDisputesApi(this IEndpointRouteBuilder v1) => v1.MapGet("/disputes/{id}", Get);

    public static StripeResult Get(string id, ApiRequest request, Ledger ledger) =>
        StripeResult.Ok(ledger.Expand(ledger.GetDispute(id), request.Parameters.Array("expand")));
}
