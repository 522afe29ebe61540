using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// The whole purchase per virtual user, again and again: hold one ticket,
/// place the order, pay it as the buyer's browser would (the Stripe emulator's
/// confirm with a test card), and wait until the order is fulfilled (the
/// webhook went through the inbox and the saga issued the ticket), waiting
/// on the order as a buyer's page does (<c>?waitWhile=awaiting_payment,paid</c>)
/// rather than polling. Reports completed orders per second, and each step's
/// latency as its own row. The virtual users act as many buyers in turn
/// (<see cref="Identities{T}"/>), each within the silo's limits per buyer:
/// a purchase sends one hold and up to three order requests (the placement
/// and at most two waits). Requests go over kept-alive
/// <see cref="LeanConnection"/>s (each buyer's hold prepared once), so the
/// generator leaves the cores to the silo and PostgreSQL it measures.
/// </summary>
public static class Checkout
{
    /// <summary>The placement, and waits of up to 20 s each for <see cref="TicketsWithin"/>: at most two.</summary>
    private const int OrderRequestsAtMost = 3;

    private static readonly TimeSpan TicketsWithin = TimeSpan.FromSeconds(30);
    private static readonly byte[] TestCard = "payment_method=pm_card_visa"u8.ToArray();

    public static async Task<IReadOnlyList<RunResult>> RunAsync(TicketingApi api, Uri stripe, string stripeKey, LoadShape shape, CpuAccount? cpu)
    {
        var tierId = await api.CreateTierAsync("Checkout", capacity: 1_000_000, maxPerOrder: 1);
        var buyers = new Identities<Buyer>(SiloLimits.Rest((SiloLimits.Holds, 1), (SiloLimits.Orders, OrderRequestsAtMost)), buyer =>
        {
            var token = api.Token($"checkout-buyer-{buyer}", "buyer");
            return new Buyer(token, LeanConnection.Request(HttpMethod.Post, api.Target, "/api/holds", token, JsonSerializer.SerializeToUtf8Bytes(new { tierId, quantity = 1 })));
        });
        using var silo = new LeanPool(api.Target);
        using var stripeApi = new LeanPool(stripe);
        string[] stepNames = ["hold", "order", "pay", "tickets"];
        var steps = stepNames.ToDictionary(name => name, _ => new LoadRun.Recorder());
        var measureFrom = Stopwatch.GetTimestamp() + (long)(shape.Warmup.TotalSeconds * Stopwatch.Frequency);

        var whole = await LoadRun.RunAsync("checkout: hold, order, pay, tickets (one order)", shape, (_, cancellationToken) => buyers.RunAsync(async buyer =>
        {
            var token = buyer.Token;
            var measuring = Stopwatch.GetTimestamp() >= measureFrom;

            var (status, hold) = await Timed(steps["hold"], measuring, 201, () => silo.SendAsync(buyer.Hold, keepBody: true, cancellationToken));
            if (status != 201)
            {
                return Failed("hold", status, hold);
            }

            var holdId = Property(hold, "id").GetGuid();
            var placement = JsonSerializer.SerializeToUtf8Bytes(new { holdIds = new[] { holdId }, contact = new { email = "load@example.com", name = "Load" } });
            (status, var order) = await Timed(steps["order"], measuring, 201, () =>
                silo.SendAsync(LeanConnection.Request(HttpMethod.Post, api.Target, "/api/orders", token, placement), keepBody: true, cancellationToken));
            if (status != 201)
            {
                return Failed("order", status, order);
            }

            var orderId = Property(order, "id").GetGuid();
            var intent = Property(order, "payment").GetProperty("paymentIntentId").GetString();
            var confirm = LeanConnection.Request(HttpMethod.Post, stripe, $"/v1/payment_intents/{intent}/confirm", stripeKey, TestCard, "application/x-www-form-urlencoded");
            (status, var paid) = await Timed(steps["pay"], measuring, 200, () => stripeApi.SendAsync(confirm, keepBody: false, cancellationToken));
            if (status != 200)
            {
                return Failed("pay", status, paid);
            }

            // As the buyer's page does: one request that waits until the payment is in and the tickets issued.
            var wait = LeanConnection.Request(HttpMethod.Get, api.Target, $"/api/orders/{orderId}?waitWhile=awaiting_payment,paid&waitSeconds=20", token);
            (status, var tickets) = await Timed(steps["tickets"], measuring, 200, async () =>
            {
                var deadline = Stopwatch.GetTimestamp() + (long)(TicketsWithin.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var (read, body) = await silo.SendAsync(wait, keepBody: true, cancellationToken);
                    if (read != 200)
                    {
                        return (read, body);
                    }

                    switch (Property(body, "status").GetString())
                    {
                        case "fulfilled":
                            return (200, body);
                        case not ("awaiting_payment" or "paid"):
                            // Settled otherwise (payment failed, unfulfillable): not the tickets.
                            return (409, body);
                    }
                }

                return (408, null);
            });
            return status == 200 ? StepOutcome.Success : Failed("tickets", status, tickets);
        }), cpu);

        var measured = TimeSpan.FromSeconds(whole.Seconds);
        return [whole with { Identities = buyers.Count }, .. stepNames.Select(name => steps[name].Result($"  step: {name}", shape, measured))];
    }

    /// <summary>A buyer's token, and their hold request prepared once.</summary>
    private sealed record Buyer(string Token, byte[] Hold);

    private static JsonElement Property(string? json, string name)
    {
        using var document = JsonDocument.Parse(json ?? "null");
        return document.RootElement.GetProperty(name).Clone();
    }

    private static StepOutcome Failed(string step, int status, string? body) =>
        StepOutcome.Failed(status switch
        {
            408 when step == "tickets" => "tickets not issued within 30 s",
            409 when step == "tickets" => "order settled without tickets",
            _ => step + " " + TicketingApi.Cause((HttpStatusCode)status, body),
        });

    private static async Task<(int Status, string? Body)> Timed(
        LoadRun.Recorder recorder, bool measuring, int expected, Func<Task<(int Status, string? Body)>> step)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await step();
        if (measuring)
        {
            recorder.Record(result.Status == expected ? StepOutcome.Success : StepOutcome.Failed(result.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Stopwatch.GetTimestamp() - started);
        }

        return result;
    }
}
