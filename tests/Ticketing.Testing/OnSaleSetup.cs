using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ticketing.Abstractions.OnSales;
using Ticketing.Grains;

namespace Ticketing.Testing;

/// <summary>On-sales and their waiting room through the API, as an organizer and buyers' pages use them.</summary>
public static class OnSaleSetup
{
    /// <summary>The event of a tier.</summary>
    public static async Task<Guid> EventOfAsync(TicketingApp app, Guid tierId) =>
        (await (await app.CreateClient().GetAsync($"/api/tiers/{tierId}")).AssertJson(HttpStatusCode.OK)).GetProperty("eventId").GetGuid();

    /// <summary>Sets the event's on-sale as <see cref="TicketingApp.Organizer"/>; answers the OnSale.</summary>
    public static async Task<JsonElement> PutAsync(TicketingApp app, Guid eventId, DateTimeOffset opensAt, int admitPerMinute, int? passMinutes = null, int? maxPerBuyer = null) =>
        await (await app.Organizer().PutAsJsonAsync($"/api/events/{eventId}/onsale", new { opensAt, admitPerMinute, passMinutes, maxPerBuyer }))
            .AssertJson(HttpStatusCode.OK);

    /// <summary>Joins the waiting room; answers the QueueTicket.</summary>
    public static async Task<JsonElement> JoinAsync(HttpClient buyer, Guid eventId) =>
        await (await buyer.PostAsync($"/api/events/{eventId}/queue", null)).AssertJson(HttpStatusCode.OK);

    /// <summary>Waits as a page would (long-polls) until the buyer is admitted; answers the QueueTicket with its pass.</summary>
    public static async Task<JsonElement> AdmittedAsync(HttpClient buyer, Guid eventId, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        // A wait answers when the status changes: only a waiting buyer waits.
        var ticket = await (await buyer.GetAsync($"/api/events/{eventId}/queue")).AssertJson(HttpStatusCode.OK);
        while (ticket.GetProperty("status").GetString() == "waiting")
        {
            Assert.True(clock.Elapsed < within, $"Not admitted within {within}: {ticket}");
            ticket = await (await buyer.GetAsync($"/api/events/{eventId}/queue?waitSeconds=5")).AssertJson(HttpStatusCode.OK);
        }

        return ticket;
    }

    /// <summary>A hold carrying the pass in the Admission-Pass header (none when null).</summary>
    public static Task<HttpResponseMessage> HoldAsync(HttpClient buyer, Guid tierId, int quantity, string? pass)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/holds") { Content = JsonContent.Create(new { tierId, quantity }) };
        if (pass is not null)
        {
            request.Headers.Add("Admission-Pass", pass);
        }

        return buyer.SendAsync(request);
    }

    public static string Pass(JsonElement ticket) => ticket.GetProperty("pass").GetProperty("token").GetString()!;

    /// <summary>Whether the buyer's allowance in the event (their per-buyer cap count) is active on the silo.</summary>
    public static async Task<bool> AllowanceActiveAsync(TicketingApp app, Guid eventId, string userId)
    {
        var allowance = app.Grains().Reference<IBuyerAllowanceGrain>(eventId, userId).GetGrainId();
        var active = await app.Grains().GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return active.Any(a => a.GrainId == allowance);
    }
}
