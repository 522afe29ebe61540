using System.Net;

namespace Ticketing.Web.Tests;

/// <summary>The pages and their assets as the silo serves them: same origin, nothing from elsewhere but Stripe.js.</summary>
public sealed class PagesTests(WebWorld world) : IClassFixture<WebWorld>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/gate")]
    [InlineData("/console")]
    public async Task EachPage_IsServedWithAPolicyThatAllowsOnlyItsOwnScripts(string path)
    {
        using var http = new HttpClient { BaseAddress = world.Silo.Address };
        using var page = await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self' https://js.stripe.com;", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task EveryScriptAPageLoads_ComesFromTheSilo_AndTheStorefrontStaysSmall()
    {
        var page = await world.NewPageAsync();
        var scripts = new List<(string Url, long Bytes)>();
        page.Response += (_, response) =>
        {
            if (response.Request.ResourceType == "script")
            {
                scripts.Add((response.Url, long.Parse(response.Headers.GetValueOrDefault("content-length", "0"), System.Globalization.CultureInfo.InvariantCulture)));
            }
        };

        await page.GotoAsync("/", new() { WaitUntil = Microsoft.Playwright.WaitUntilState.NetworkIdle });

        Assert.NotEmpty(scripts);
        Assert.All(scripts, script => Assert.StartsWith(world.Silo.Address.ToString(), script.Url, StringComparison.Ordinal));
        Assert.True(scripts.Sum(script => script.Bytes) < 150_000, $"the storefront loads {scripts.Sum(script => script.Bytes)} bytes of script: {string.Join(", ", scripts)}");
    }

    [Fact]
    public async Task TheQrDecoder_IsVendoredFromNpm_AtBuildTime()
    {
        using var http = new HttpClient { BaseAddress = world.Silo.Address };
        var decoder = await http.GetStringAsync(new Uri("/vendor/jsqr.js", UriKind.Relative));

        Assert.Contains("jsQR", decoder, StringComparison.Ordinal);
    }
}
