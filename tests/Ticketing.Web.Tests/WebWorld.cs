using Microsoft.Playwright;
using Ticketing.Testing;

namespace Ticketing.Web.Tests;

/// <summary>
/// What a person's browser meets: the silo and the Stripe emulator as real
/// processes on real ports, on a database of their own, and Debian's Chromium
/// driven by Playwright. Shared by the journeys of one test class; a class
/// whose journeys need other settings derives a world of its own.
/// </summary>
public class WebWorld : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private TestDatabase? database;
    private StripeEmulatorProcess? stripe;
    private SiloProcess? silo;
    private IPlaywright? playwright;
    private IBrowser? browser;

    public TestDatabase Database => database ?? throw new InvalidOperationException("Not started.");

    public SiloProcess Silo => silo ?? throw new InvalidOperationException("Not started.");

    public StripeEmulatorProcess Stripe => stripe ?? throw new InvalidOperationException("Not started.");

    public IBrowser Browser => browser ?? throw new InvalidOperationException("Not started.");

    /// <summary>The settings the silo runs with: Development, so that its sign-in page mints any role.</summary>
    public static Dictionary<string, string?> SiloSettings(TestDatabase database, StripeEmulatorProcess stripe)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ConnectionStrings:Ticketing"] = database.ConnectionString,
            ["Ticketing:Auth:SigningKey"] = TicketingApp.SigningKey,
            ["Orleans:ClusterId"] = database.Name,
            ["Orleans:ServiceId"] = database.Name,
        };
        foreach (var (key, value) in stripe.SiloSettings)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Fails with what to install when the machine has no Chromium.</summary>
    public static void RequireChromium()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException(
                $"The browser tests drive Debian's Chromium at {Chromium}, which is missing: install it with `apt-get install chromium` " +
                "(scripts/test.sh does so when it runs as root).");
        }
    }

    public async Task InitializeAsync()
    {
        RequireChromium();
        database = await TestDatabase.CreateAsync();
        var port = TicketingApp.FreePort();
        stripe = await StripeEmulatorProcess.StartAsync(new Uri($"http://127.0.0.1:{port}/api/webhooks/stripe"), TimeSpan.FromSeconds(60));
        var settings = SiloSettings(database, stripe);
        Configure(settings);
        silo = await SiloProcess.StartAsync(settings, TimeSpan.FromSeconds(120), port: port);
        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        browser = await LaunchAsync(playwright);
    }

    /// <summary>A derived world's changes to the silo's settings (a short hold lifetime, a low rate limit).</summary>
    protected virtual void Configure(Dictionary<string, string?> settings)
    {
    }

    /// <summary>
    /// Chromium as this machine runs it: headless, without its background
    /// calls to Google (the network is closed), and without the sandbox,
    /// which root cannot use. A fake camera feeds the gate's scanner
    /// (<paramref name="arguments"/> may give it a video file to show).
    /// </summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, params string[] arguments) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                .. arguments,
            ],
        });

    /// <summary>A fresh browser profile on the silo: a phone-sized one when <paramref name="phone"/>.</summary>
    public Task<IPage> NewPageAsync(bool phone = false) => NewPageAsync(Browser, phone);

    /// <summary>The same, in another browser of the journey's own (one launched with other arguments).</summary>
    public Task<IPage> NewPageAsync(IBrowser browser, bool phone = false) => NewPageAsync(browser, PageOptions(Silo.Address, phone));

    /// <summary>A fresh profile of <paramref name="browser"/> with <paramref name="options"/> (<see cref="PageOptions"/>, changed as a journey needs).</summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, BrowserNewContextOptions options)
    {
        var context = await browser.NewContextAsync(options);
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    /// <summary>A person's browser at <paramref name="address"/>: English, UTC, a desktop's window or a phone's.</summary>
    public static BrowserNewContextOptions PageOptions(Uri address, bool phone = false) =>
        new()
        {
            BaseURL = address.ToString(),
            // axe-core is added to pages as a script of their own, which the pages' policy would refuse.
            BypassCSP = true,
            Locale = "en-US",
            TimezoneId = "UTC",
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
        };

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
        if (silo is not null)
        {
            await silo.DisposeAsync();
        }

        if (stripe is not null)
        {
            await stripe.DisposeAsync();
        }

        if (database is not null)
        {
            await database.DisposeAsync();
        }
    }
}
