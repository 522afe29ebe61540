using System.Net;
using System.Text.Json;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>The OpenAPI document at /openapi/v1.json as a client generator or the /docs reference reads it.</summary>
public sealed class OpenApiTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    private const string ProblemJson = "application/problem+json";

    /// <summary>The operations anybody may call: the catalogue, the payments configuration for pages and Stripe's webhook.</summary>
    private static readonly string[] Anonymous =
        ["GET /api/events", "GET /api/events/{eventId}", "GET /api/events/{eventId}/onsale", "GET /api/tiers/{tierId}", "GET /api/payments/config", "POST /api/webhooks/stripe"];

    [Fact]
    public async Task Document_DeclaresABearerScheme()
    {
        var document = await Document();

        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal("JWT", bearer.GetProperty("bearerFormat").GetString());
    }

    [Fact]
    public async Task BearerIsRequired_ByEveryOperationButTheAnonymousOnes()
    {
        var operations = Operations(await Document()).ToList();

        var open = operations.Where(o => !o.Operation.TryGetProperty("security", out _)).Select(o => o.Name).Order();
        Assert.Equal(Anonymous.Order(), open);
        foreach (var (name, operation) in operations.Where(o => o.Operation.TryGetProperty("security", out _)))
        {
            var requirement = Assert.Single(operation.GetProperty("security").EnumerateArray());
            Assert.True(requirement.TryGetProperty("Bearer", out _), $"{name} requires {requirement}");
        }
    }

    [Fact]
    public async Task OperationsMarkedSecure_Answer401WithoutAToken_AndTheOthersDoNot()
    {
        var client = fixture.App.CreateClient();
        foreach (var (name, operation) in Operations(await Document()))
        {
            var (method, path) = (name.Split(' ')[0], name.Split(' ')[1]);
            using var request = new HttpRequestMessage(new HttpMethod(method), WithIds(path));
            if (method is "POST" or "PATCH" or "PUT")
            {
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            var response = await client.SendAsync(request);

            var secure = operation.TryGetProperty("security", out _);
            Assert.True(secure == (response.StatusCode == HttpStatusCode.Unauthorized), $"{name}: secure={secure}, answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task InternalRoutes_AreLeftOut()
    {
        var paths = (await Document()).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Contains("/api/events", paths);
        Assert.DoesNotContain(paths, path => path.StartsWith("/dashboard", StringComparison.Ordinal)
            || path.StartsWith("/health", StringComparison.Ordinal)
            || path.StartsWith("/metrics", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryOperation_ListsItsProblems()
    {
        var document = await Document();
        var schemas = document.GetProperty("components").GetProperty("schemas");

        foreach (var (name, operation) in Operations(document))
        {
            var problems = Problems(operation, schemas, name);
            Assert.True(problems.Any(status => status is >= 400 and < 500), $"{name} lists no 4xx problem");
            Assert.True(problems.Contains(503), $"{name} lists no 503 for a dependency away");
            if (operation.TryGetProperty("security", out _))
            {
                Assert.True(problems.Contains(401) && problems.Contains(403), $"{name} needs a token but lists {string.Join(", ", problems)}");
            }

            if (operation.TryGetProperty("parameters", out var parameters)
                && parameters.EnumerateArray().Any(p => p.GetProperty("in").GetString() == "path" && p.GetProperty("schema").TryGetProperty("format", out var format) && format.GetString() == "uuid"))
            {
                Assert.True(problems.Contains(404), $"{name} has an id in its route but lists no 404");
            }

            if (operation.TryGetProperty("requestBody", out _))
            {
                Assert.True(problems.Contains(413) && problems.Contains(422), $"{name} takes a body but lists {string.Join(", ", problems)}");
            }
        }
    }

    [Fact]
    public async Task RoutesList_TheirOwnOutcomes()
    {
        var operations = Operations(await Document()).ToDictionary(o => o.Name, o => o.Operation);

        Assert.Contains("`sold-out`", Description(operations["POST /api/holds"], 409));
        Assert.Contains("`tier-unavailable`", Description(operations["POST /api/holds"], 503));
        Assert.Contains("`payment-provider-unavailable`", Description(operations["POST /api/orders"], 503));
        Assert.Contains("`unavailable`", Description(operations["GET /api/events"], 503));
        Assert.Contains("Idempotency-Key", Description(operations["POST /api/orders"], 409));
        Assert.Contains("65536 bytes", Description(operations["POST /api/webhooks/stripe"], 413));
        Assert.Contains("16384 bytes", Description(operations["POST /api/orders"], 413));
        Assert.Contains("`rate-limited`", Description(operations["POST /api/holds"], 429));
        Assert.Contains("`anonymous`", Description(operations["GET /api/events"], 429));
        Assert.False(operations["POST /api/webhooks/stripe"].GetProperty("responses").TryGetProperty("429", out _), "the webhook is never limited");
        Assert.Contains(operations["POST /api/orders"].GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
    }

    [Fact]
    public async Task Summaries_AreShort_WithTheLongerTextAsDescription()
    {
        var operations = Operations(await Document()).ToDictionary(o => o.Name, o => o.Operation);

        foreach (var (name, operation) in operations)
        {
            var summary = operation.TryGetProperty("summary", out var s) ? s.GetString() : null;
            Assert.False(string.IsNullOrWhiteSpace(summary), $"{name} has no summary");
            Assert.True(summary.Length < 80 && !summary.Contains('\n'), $"{name}: summary '{summary}' is not a short title");
        }

        Assert.Contains("waitWhile", operations["GET /api/orders/{orderId}"].GetProperty("description").GetString());
    }

    [Fact]
    public async Task Reference_IsServedWithoutCloudButtons()
    {
        var response = await fixture.App.CreateClient().GetAsync("/docs");

        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"hideClientButton\":true", page, StringComparison.Ordinal);
        Assert.Contains("\"showDeveloperTools\":\"never\"", page, StringComparison.Ordinal);
        Assert.Contains("\"telemetry\":false", page, StringComparison.Ordinal);
        Assert.Contains("\"agent\":{\"disabled\":true}", page, StringComparison.Ordinal);
        Assert.Contains("\"preferredSecurityScheme\":[\"Bearer\"]", page, StringComparison.Ordinal);
    }

    private async Task<JsonElement> Document()
    {
        var response = await fixture.App.CreateClient().GetAsync("/openapi/v1.json");
        return await response.AssertJson(HttpStatusCode.OK);
    }

    private static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        where operation.Name is "get" or "put" or "post" or "patch" or "delete"
        select ($"{operation.Name.ToUpperInvariant()} {path.Name}", operation.Value);

    /// <summary>The statuses the operation answers with a problem, each checked to be one by its media type and schema.</summary>
    private static List<int> Problems(JsonElement operation, JsonElement schemas, string name)
    {
        var statuses = new List<int>();
        foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
        {
            var media = response.Value.TryGetProperty("content", out var content) && content.TryGetProperty(ProblemJson, out var problem) ? problem : default;
            Assert.True(media.ValueKind == JsonValueKind.Object, $"{name} {response.Name} is not {ProblemJson}");
            var reference = media.GetProperty("schema").GetProperty("$ref").GetString()!;
            Assert.True(schemas.TryGetProperty(reference.Split('/')[^1], out var schema), $"{name} {response.Name}: {reference} is not in the document");
            Assert.True(schema.GetProperty("properties").TryGetProperty("type", out _), $"{reference} is not a problem");
            Assert.False(string.IsNullOrWhiteSpace(response.Value.GetProperty("description").GetString()));
            statuses.Add(int.Parse(response.Name, System.Globalization.CultureInfo.InvariantCulture));
        }

        return statuses;
    }

    private static string Description(JsonElement operation, int status) =>
        operation.GetProperty("responses").GetProperty(status.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetProperty("description").GetString()!;

    /// <summary>The path with a fresh id for each route value (the only free-text one, userId, takes it too).</summary>
    private static string WithIds(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", _ => Guid.NewGuid().ToString());
}
