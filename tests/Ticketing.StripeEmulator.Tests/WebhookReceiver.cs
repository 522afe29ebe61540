using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Stripe;

namespace Ticketing.StripeEmulator.Tests;

/// <summary>
/// A webhook endpoint in memory (a TestServer), checking each delivery the way
/// the product does: <see cref="EventUtility.ConstructEvent(string, string, string, long, bool)"/>
/// with the configured secret. It can be told to answer 500 to the next deliveries.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly string secret;
    private readonly ConcurrentQueue<ReceivedWebhook> received = new();
    private readonly ConcurrentQueue<string> rejections = new();
    private int failuresLeft;
    private string? failingType;

    private WebhookReceiver(string secret)
    {
        this.secret = secret;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        app = builder.Build();
        app.MapPost("/webhooks/stripe", ReceiveAsync);
    }

    public IReadOnlyList<ReceivedWebhook> Received => [.. received];

    /// <summary>Deliveries whose signature or payload did not check out, with the reason.</summary>
    public IReadOnlyList<string> Rejections => [.. rejections];

    public static async Task<WebhookReceiver> StartAsync(string secret)
    {
        var receiver = new WebhookReceiver(secret);
        await receiver.app.StartAsync();
        return receiver;
    }

    public HttpMessageHandler CreateHandler() => app.GetTestServer().CreateHandler();

    /// <summary>Answers 500 to the next <paramref name="count"/> deliveries (of <paramref name="eventType"/> only, when given).</summary>
    public void FailNext(int count, string? eventType = null)
    {
        failingType = eventType;
        Volatile.Write(ref failuresLeft, count);
    }

    public IReadOnlyList<Event> EventsOf(string type) => [.. Received.Select(r => r.Event).Where(e => e.Type == type)];

    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!condition(Received))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"Webhooks received: {string.Join(", ", Received.Select(r => r.Event.Type))}; rejected: {string.Join("; ", Rejections)}");
            }

            await Task.Delay(20);
        }

        return Received;
    }

    public Task<IReadOnlyList<ReceivedWebhook>> WaitForEventAsync(string type, string objectId) =>
        WaitForAsync(all => all.Any(r => r.Event.Type == type && r.ObjectId == objectId));

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var signature = request.Headers["Stripe-Signature"].ToString();
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(body, signature, secret, tolerance: 300, throwOnApiVersionMismatch: true);
        }
        catch (StripeException refused)
        {
            rejections.Enqueue(refused.Message);
            return Results.BadRequest();
        }

        if ((failingType is null || failingType == stripeEvent.Type) && Interlocked.Decrement(ref failuresLeft) >= 0)
        {
            return Results.StatusCode(StatusCodes.Status500InternalServerError);
        }

        received.Enqueue(new ReceivedWebhook(stripeEvent, body, signature));
        return Results.Ok();
    }
}
