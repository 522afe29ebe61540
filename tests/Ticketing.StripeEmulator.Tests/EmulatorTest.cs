using Stripe;
using Ticketing.StripeEmulator.Control;

namespace Ticketing.StripeEmulator.Tests;

/// <summary>A test with an emulator of its own, started before and stopped after it.</summary>
public abstract class EmulatorTest : IAsyncLifetime
{
    private EmulatorHost? host;

    protected EmulatorHost Host => host ?? throw new InvalidOperationException("The emulator has not started.");

    protected WebhookReceiver Receiver => Host.Receiver ?? throw new InvalidOperationException("This emulator has no receiver.");

    protected EmulatorControl Control => Host.Control;

    protected PaymentIntentService PaymentIntents => new(Host.Stripe);

    protected ChargeService Charges => new(Host.Stripe);

    protected RefundService Refunds => new(Host.Stripe);

    protected EventService Events => new(Host.Stripe);

    public async Task InitializeAsync() => host = await StartHostAsync();

    public async Task DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }

    protected virtual Task<EmulatorHost> StartHostAsync() => EmulatorHost.StartAsync();

    protected Task<PaymentIntent> CreateIntentAsync(long amount = 2500, string orderId = "order-1", string? paymentMethod = null, bool confirm = false) =>
        PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
        {
            Amount = amount,
            Currency = "usd",
            Description = $"Tickets for {orderId}",
            Metadata = new Dictionary<string, string> { ["order_id"] = orderId },
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
            PaymentMethod = paymentMethod,
            Confirm = confirm ? true : null,
        });

    protected async Task<PaymentIntent> PaidIntentAsync(long amount = 2500, string orderId = "order-1")
    {
        var intent = await CreateIntentAsync(amount, orderId);
        return await PaymentIntents.ConfirmAsync(intent.Id, new PaymentIntentConfirmOptions { PaymentMethod = "pm_card_visa" });
    }

    protected static async Task<StripeException> RefusedAsync(Func<Task> call) => await Assert.ThrowsAsync<StripeException>(call);
}
