using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Ticketing.StripeEmulator.Events;
using Ticketing.StripeEmulator.Hosting;

namespace Ticketing.StripeEmulator.Webhooks;

/// <summary>
/// Deliveries waiting to be sent, in the order events happened. While the
/// settings hold deliveries (paused or reordering), they wait in a buffer that
/// a flush releases.
/// </summary>
public sealed class WebhookQueue(IOptions<EmulatorOptions> options)
{
    private readonly Lock gate = new();
    private readonly Channel<PendingDelivery> ready = Channel.CreateUnbounded<PendingDelivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<PendingDelivery> held = [];
    private DeliverySettings settings = DeliverySettings.Normal;
    private long deliveries;

    // Deliveries handed to the dispatcher and not yet done with: queued, in
    // flight, or waiting to be retried. Held ones are not counted.
    private int unsettled;

    /// <summary>False when no webhook URL is configured: events are then only listed.</summary>
    public bool IsEnabled => options.Value.WebhookUrl is not null;

    public ChannelReader<PendingDelivery> Ready => ready.Reader;

    /// <summary>
    /// True when no delivery is queued, in flight or waiting to be retried:
    /// every attempt there will be (held deliveries aside) has been made.
    /// </summary>
    public bool IsIdle => Volatile.Read(ref unsettled) == 0;

    public DeliverySettings Settings
    {
        get
        {
            lock (gate)
            {
                return settings;
            }
        }
    }

    /// <summary>Changes the settings; when they no longer hold deliveries, the held ones go out in the order they came.</summary>
    public void Configure(DeliverySettings newSettings)
    {
        newSettings = newSettings.Validated();
        lock (gate)
        {
            settings = newSettings;
            if (!settings.HoldsDeliveries)
            {
                Release(held);
            }
        }
    }

    /// <summary>Releases the held deliveries: newest first when reordering, else in order. Returns how many.</summary>
    public int Flush()
    {
        lock (gate)
        {
            var count = held.Count;
            if (settings.Reorder)
            {
                held.Reverse();
            }

            Release(held);
            return count;
        }
    }

    public void Publish(StripeEvent stripeEvent)
    {
        if (!IsEnabled || !options.Value.Sends(stripeEvent.Type))
        {
            return;
        }

        lock (gate)
        {
            for (var copy = 0; copy <= settings.Duplicate; copy++)
            {
                Offer(new PendingDelivery(NextDeliveryId(), stripeEvent, Attempt: 1));
            }
        }
    }

    /// <summary>Sends an event again as a new delivery, as the dashboard's "Resend" does.</summary>
    public void Resend(StripeEvent stripeEvent)
    {
        lock (gate)
        {
            Offer(new PendingDelivery(NextDeliveryId(), stripeEvent, Attempt: 1));
        }
    }

    public void Retry(PendingDelivery delivery)
    {
        lock (gate)
        {
            Offer(delivery with { Attempt = delivery.Attempt + 1 });
        }
    }

    /// <summary>The dispatcher is done with a delivery: it was answered, given up, or queued again for its retry.</summary>
    public void Settled() => Interlocked.Decrement(ref unsettled);

    private void Offer(PendingDelivery delivery)
    {
        if (settings.HoldsDeliveries)
        {
            held.Add(delivery);
        }
        else
        {
            Interlocked.Increment(ref unsettled);
            ready.Writer.TryWrite(delivery);
        }
    }

    private void Release(List<PendingDelivery> deliveriesToSend)
    {
        foreach (var delivery in deliveriesToSend)
        {
            Interlocked.Increment(ref unsettled);
            ready.Writer.TryWrite(delivery);
        }

        deliveriesToSend.Clear();
    }

    private string NextDeliveryId() => $"whd_{++deliveries}";
}
