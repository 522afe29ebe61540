using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ticketing.Load.Tests;

/// <summary>
/// The load generator's own HTTP/1.1 client against a real Kestrel:
/// statuses and bodies read right whatever the framing (chunked or sized),
/// bodies split across reads, the body's content type as given, and every
/// request on the one kept-alive connection.
/// </summary>
public sealed class LeanConnectionTests : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, int> connectionsSeen = new();
    private WebApplication server = null!;
    private Uri target = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        server = builder.Build();
        server.Use(async (context, next) =>
        {
            connectionsSeen.AddOrUpdate(context.Connection.Id, 1, (_, n) => n + 1);
            await next(context);
        });
        // Written as the API's JSON results are: no length known up front, so chunked.
        server.MapPost("/holds", async (HttpContext context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Response.StatusCode = StatusCodes.Status201Created;
            await context.Response.WriteAsync(context.Request.ContentType + " " + body);
            await context.Response.WriteAsync(new string('x', 20_000));
        });
        server.MapGet("/sized", async (HttpContext context) =>
        {
            context.Response.ContentLength = 5;
            await context.Response.WriteAsync("sized");
        });
        server.MapGet("/closing", async (HttpContext context) =>
        {
            context.Response.Headers.Connection = "close";
            await context.Response.WriteAsync("bye");
        });
        server.MapGet("/problem", async (HttpContext context) =>
        {
            context.Response.StatusCode = StatusCodes.Status409Conflict;
            context.Response.ContentType = "application/problem+json";
            await context.Response.WriteAsync("""{"type":"urn:ticketing:problem:sold-out","status":409}""");
        });
        await server.StartAsync();
        target = new Uri(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    [Fact]
    public async Task Send_ManyRequestsOfEveryFraming_AnswersEachStatus_OnOneConnection()
    {
        using var connection = await LeanConnection.OpenAsync(target, CancellationToken.None);
        var hold = LeanConnection.Request(HttpMethod.Post, target, "/holds", "token-1", Encoding.UTF8.GetBytes("""{"quantity":1}"""));
        var sized = LeanConnection.Request(HttpMethod.Get, target, "/sized", "token-1");
        var problem = LeanConnection.Request(HttpMethod.Get, target, "/problem", "token-1");
        var form = LeanConnection.Request(HttpMethod.Post, target, "/holds", "token-1", "payment_method=pm_card_visa"u8.ToArray(), "application/x-www-form-urlencoded");

        for (var i = 0; i < 30; i++)
        {
            Assert.Equal((201, null), await connection.SendAsync(hold, keepBody: false, CancellationToken.None));
            Assert.Equal((200, null), await connection.SendAsync(sized, keepBody: false, CancellationToken.None));
            var (status, body) = await connection.SendAsync(problem, keepBody: false, CancellationToken.None);
            Assert.Equal(409, status);
            Assert.Equal("409 sold-out", TicketingApi.Cause((System.Net.HttpStatusCode)status, body));
            Assert.Equal((201, "application/json {\"quantity\":1}" + new string('x', 20_000)), await connection.SendAsync(hold, keepBody: true, CancellationToken.None));
            Assert.Equal((201, "application/x-www-form-urlencoded payment_method=pm_card_visa" + new string('x', 20_000)), await connection.SendAsync(form, keepBody: true, CancellationToken.None));
            Assert.Equal((200, "sized"), await connection.SendAsync(sized, keepBody: true, CancellationToken.None));
        }

        var (_, requests) = Assert.Single(connectionsSeen);
        Assert.Equal(180, requests);
    }

    [Fact]
    public async Task Pool_ReusesAKeptAliveConnection_ButNotOneTheServerCloses()
    {
        using var pool = new LeanPool(target);
        var sized = LeanConnection.Request(HttpMethod.Get, target, "/sized", "token-3");
        var closing = LeanConnection.Request(HttpMethod.Get, target, "/closing", "token-3");

        Assert.Equal((200, "sized"), await pool.SendAsync(sized, keepBody: true, CancellationToken.None));
        Assert.Equal((200, "sized"), await pool.SendAsync(sized, keepBody: true, CancellationToken.None));
        Assert.Equal((200, "bye"), await pool.SendAsync(closing, keepBody: true, CancellationToken.None));
        Assert.Equal((200, "sized"), await pool.SendAsync(sized, keepBody: true, CancellationToken.None));

        Assert.Equal([3, 1], connectionsSeen.Values.Order().Reverse());
    }

    [Fact]
    public async Task Send_WhenTheServerIsGone_Throws()
    {
        using var connection = await LeanConnection.OpenAsync(target, CancellationToken.None);
        var sized = LeanConnection.Request(HttpMethod.Get, target, "/sized", "token-2");
        Assert.Equal(200, (await connection.SendAsync(sized, keepBody: false, CancellationToken.None)).Status);

        await server.StopAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => connection.SendAsync(sized, keepBody: false, CancellationToken.None));
    }
}
