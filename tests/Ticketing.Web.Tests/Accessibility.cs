using System.Text.Json;
using Microsoft.Playwright;
using Ticketing.Testing;

namespace Ticketing.Web.Tests;

/// <summary>axe-core (from the pages' npm packages) run inside the page, as it stands.</summary>
public static class Accessibility
{
    private static readonly string AxeScript = Path.Combine(PostgresServer.RepositoryRoot(), "src", "Ticketing.Api", "web", "node_modules", "axe-core", "axe.min.js");

    /// <summary>Fails on any serious or critical violation, naming the rule, the help and the elements.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page)
    {
        if (!File.Exists(AxeScript))
        {
            throw new FileNotFoundException($"axe-core is missing: building src/Ticketing.Api installs the pages' npm packages ({AxeScript}).", AxeScript);
        }

        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
        {
            await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxeScript });
        }

        var violations = await page.EvaluateAsync<JsonElement>(
            """
            async () => (await axe.run(document, { resultTypes: ["violations"] })).violations
              .filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(" ")).join(", ")}`)
            """);
        var found = violations.EnumerateArray().Select(v => v.GetString()).ToArray();
        Assert.True(found.Length == 0, $"accessibility violations on {page.Url}:{Environment.NewLine}{string.Join(Environment.NewLine, found)}");
    }
}
