using Ticketing.Api.Apis;
using Ticketing.Api.Auth;
using Ticketing.Api.Health;
using Ticketing.Api.Hosting;
using Ticketing.Api.Idempotency;
using Ticketing.Api.Limits;
using Ticketing.Api.Pages;
using Ticketing.Api.Payments;
using Ticketing.Api.Problems;
using Ticketing.Api.Reference;

var builder = WebApplication.CreateBuilder(args);

switch (args.FirstOrDefault())
{
    case "migrate":
        return await Commands.MigrateAsync(builder.Configuration);
    case "token":
        return Commands.PrintToken(builder.Configuration, args[1..]);
}

if (DevelopmentSecrets.Refusal(builder.Configuration, builder.Environment) is { } refusal)
{
    Console.Error.WriteLine($"Ticketing.Api: not starting: {refusal}");
    return 1;
}

// Structured logs: one JSON object per line outside Development, warnings
// and errors only (appsettings.json): a line per request costs a hot tier a
// large share of its throughput (docs/performance.md).
if (!builder.Environment.IsDevelopment())
{
    builder.Logging.ClearProviders().AddJsonConsole();
}

builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = BodyLimits.Largest);
builder.AddTicketingConnectionLimit();
builder.AddTicketingDatabase();
builder.AddTicketingSilo();
builder.AddTicketingAuth();
builder.AddTicketingPayments();
builder.AddTicketingOperations();
builder.AddTicketingMetrics();
builder.AddTicketingRateLimits();
builder.Services.AddTicketingProblems();
builder.Services.AddTicketingHealthChecks();
builder.Services.AddTicketingApiReference();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseTicketingPageAssets();
app.UseAuthentication();
app.UseAuthorization();
// After authorization, so a caller is known by its token; before anything reads the body or the database.
app.UseRateLimiter();
app.UseMiddleware<BodyLimits>();
app.UseTicketingAntiforgery();
app.UseMiddleware<IdempotencyMiddleware>();

app.MapTicketingPages();
app.MapTicketingHealth();
app.MapTicketingApiReference();
app.MapTicketingDashboard();
app.MapSessionsApi();
app.MapEventsApi();
app.MapOnSalesApi();
app.MapTiersApi();
app.MapHoldsApi();
app.MapOrdersApi();
app.MapPaymentsApi();
app.MapStripeWebhook();
app.MapTicketsApi();
app.MapOpsApi();
app.MapTicketingMetrics();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to the functional tests.</summary>
public partial class Program;
