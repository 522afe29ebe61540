using System.Net;
using System.Text.Json;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// Where the console sends an operator: the silo's Orleans dashboard, and
/// Grafana only at an address someone configured (Ticketing:Operations:GrafanaUrl),
/// which must be one a browser can open.
/// </summary>
public sealed class OperationsLinksTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Links_WithoutGrafanaConfigured_NameTheDashboardOnly()
    {
        var links = await (await fixture.App.Operator().GetAsync("/api/ops/links")).AssertJson(HttpStatusCode.OK);

        Assert.Equal("/dashboard", links.GetProperty("dashboard").GetString());
        Assert.Equal(JsonValueKind.Null, links.GetProperty("grafana").ValueKind);
    }

    [Fact]
    public async Task Links_NameGrafana_AtTheConfiguredAddress()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:Operations:GrafanaUrl"] = "https://grafana.example.org/d/ticketing" }).Start();

        var links = await (await app.Operator().GetAsync("/api/ops/links")).AssertJson(HttpStatusCode.OK);

        Assert.Equal("https://grafana.example.org/d/ticketing", links.GetProperty("grafana").GetString());
    }

    [Theory]
    [InlineData("grafana:3000")]
    [InlineData("/grafana")]
    [InlineData("javascript:alert(1)")]
    public async Task AGrafanaAddressABrowserCannotOpen_KeepsTheSiloFromStarting(string address)
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new TicketingApp(database, new Dictionary<string, string?> { ["Ticketing:Operations:GrafanaUrl"] = address });

        var refusal = Assert.ThrowsAny<Exception>(() => app.Start());

        Assert.Contains("Ticketing:Operations:GrafanaUrl", refusal.ToString(), StringComparison.Ordinal);
    }
}
