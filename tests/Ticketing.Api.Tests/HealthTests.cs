using Ticketing.Testing;
using System.Net;

namespace Ticketing.Api.Tests;

public sealed class HealthTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Live_Returns200()
    {
        var response = await fixture.App.CreateClient().GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Ready_WhenDatabaseMigrationsAndSiloAreUp_Returns200WithEachCheck()
    {
        var response = await fixture.App.CreateClient().GetAsync("/health/ready");

        var body = await response.AssertJson(HttpStatusCode.OK);
        var checks = body.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("migrations").GetProperty("status").GetString());
        Assert.Equal("Healthy", checks.GetProperty("silo").GetProperty("status").GetString());
    }

    [Fact]
    public async Task OpenApi_DescribesTheRoutes()
    {
        var document = await (await fixture.App.CreateClient().GetAsync("/openapi/v1.json")).AssertJson(HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/events", out _));
        Assert.True(paths.TryGetProperty("/api/tiers/{tierId}", out _));
    }

    [Fact]
    public async Task ApiReference_IsServed()
    {
        var response = await fixture.App.CreateClient().GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Returns404Problem()
    {
        var response = await fixture.App.CreateClient().GetAsync("/api/nothing-here");

        await response.AssertProblem(HttpStatusCode.NotFound, "not-found");
    }
}
