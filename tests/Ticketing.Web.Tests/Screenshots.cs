using Microsoft.Playwright;
using Ticketing.Testing;

namespace Ticketing.Web.Tests;

/// <summary>
/// The journeys' pictures of each page for docs/screenshots, taken only when
/// TICKETING_SCREENSHOTS=1 (scripts/screenshots.sh): a test run leaves the
/// repository as it found it.
/// </summary>
public static class Screenshots
{
    public static async Task TakeAsync(IPage page, string name)
    {
        if (Environment.GetEnvironmentVariable("TICKETING_SCREENSHOTS") != "1")
        {
            return;
        }

        var path = Path.Combine(PostgresServer.RepositoryRoot(), "docs", "screenshots", $"{name}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
    }
}
