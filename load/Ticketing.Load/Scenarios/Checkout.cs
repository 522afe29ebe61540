using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Ticketing.Load.Scenarios;

/// <summary>
/// The whole purchase per virtual user, again and again: hold one ticket,
/// place the order, pay it as the buyer's browser would (the Stripe emulator's
/// confirm with a test card), and wait until the order is fulfilled (the
/// webhook went through the inbox and the saga issued the ticket), waiting
/// on the order as a buyer's page does (<c>?waitWhile=awaiting_payment,paid</c>)
/// rather than polling. Reports
/// completed orders per second, and each step's latency as its own row.
/// </summary>
public static class Checkout
{
    private static readonly TimeSpan TicketsWithin = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyList<RunResult>> RunAsync(TicketingApi api, Uri stripe, string stripeKey, LoadShape shape, Func<TimeSpan>? siloCpu)
    {
        var tierId = await api.CreateTierAsync("Checkout", capacity: 1_000_000, maxPerOrder: 1);
        using var stripeHttp = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Math.Max(1, shape.Users) }) { BaseAddress = stripe };
        stripeHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", stripeKey);
        string[] stepNames = ["hold", "order", "pay", "tickets"];
        var steps = stepNames.ToDictionary(name => name, _ => new LoadRun.Recorder());
        var measureFrom = Stopwatch.GetTimestamp() + (long)(shape.Warmup.TotalSeconds * Stopwatch.Frequency);

        var whole = await LoadRun.RunAsync("checkout: hold, order, pay, tickets (one order)", shape, async (user, cancellationToken) =>
        {
            var buyer = $"checkout-buyer-{user}";
            var measuring = Stopwatch.GetTimestamp() >= measureFrom;

            var (status, hold) = await Timed(steps["hold"], measuring, () =>
                api.SendAsync(HttpMethod.Post, "/api/holds", buyer, "buyer", new { tierId, quantity = 1 }, cancellationToken), HttpStatusCode.Created);
            if (status != HttpStatusCode.Created)
            {
                return StepOutcome.Failed("hold " + TicketingApi.Cause(status, hold));
            }

            (status, var order) = await Timed(steps["order"], measuring, () =>
                api.SendAsync(HttpMethod.Post, "/api/orders", buyer, "buyer",
                    new { holdIds = new[] { hold.GetProperty("id").GetGuid() }, contact = new { email = "load@example.com", name = "Load" } }, cancellationToken),
                HttpStatusCode.Created);
            if (status != HttpStatusCode.Created)
            {
                return StepOutcome.Failed("order " + TicketingApi.Cause(status, order));
            }

            var orderId = order.GetProperty("id").GetGuid();
            var intent = order.GetProperty("payment").GetProperty("paymentIntentId").GetString();
            var paid = await Timed(steps["pay"], measuring, async () =>
            {
                using var confirm = await stripeHttp.PostAsync(
                    $"/v1/payment_intents/{intent}/confirm",
                    new FormUrlEncodedContent([new KeyValuePair<string, string>("payment_method", "pm_card_visa")]),
                    cancellationToken);
                return (confirm.StatusCode, default(JsonElement));
            }, HttpStatusCode.OK);
            if (paid.Item1 != HttpStatusCode.OK)
            {
                return StepOutcome.Failed($"pay {(int)paid.Item1}");
            }

            var fulfilled = await Timed(steps["tickets"], measuring, async () =>
            {
                // As the buyer's page does: one request that waits until the payment is in and the tickets issued.
                var deadline = Stopwatch.GetTimestamp() + (long)(TicketsWithin.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var (read, body) = await api.SendAsync(HttpMethod.Get, $"/api/orders/{orderId}?waitWhile=awaiting_payment,paid&waitSeconds=20", buyer, "buyer", null, cancellationToken);
                    if (read != HttpStatusCode.OK)
                    {
                        return (read, body);
                    }

                    switch (body.GetProperty("status").GetString())
                    {
                        case "fulfilled":
                            return (HttpStatusCode.OK, body);
                        case not ("awaiting_payment" or "paid"):
                            // Settled otherwise (payment failed, unfulfillable): not the tickets.
                            return (HttpStatusCode.Conflict, body);
                    }
                }

                return (HttpStatusCode.RequestTimeout, default(JsonElement));
            }, HttpStatusCode.OK);
            return fulfilled.Item1 == HttpStatusCode.OK ? StepOutcome.Success : StepOutcome.Failed("tickets not issued within 30 s");
        }, siloCpu);

        var measured = TimeSpan.FromSeconds(whole.Seconds);
        return [whole, .. stepNames.Select(name => steps[name].Result($"  step: {name}", shape, measured))];
    }

    private static async Task<(HttpStatusCode, JsonElement)> Timed(
        LoadRun.Recorder recorder, bool measuring, Func<Task<(HttpStatusCode, JsonElement)>> step, HttpStatusCode expected)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await step();
        if (measuring)
        {
            recorder.Record(result.Item1 == expected ? StepOutcome.Success : StepOutcome.Failed(((int)result.Item1).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Stopwatch.GetTimestamp() - started);
        }

        return result;
    }
}
