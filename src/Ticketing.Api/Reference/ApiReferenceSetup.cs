using Scalar.AspNetCore;

namespace Ticketing.Api.Reference;

/// <summary>The OpenAPI document at /openapi/v1.json and its Scalar reference at /docs.</summary>
internal static class ApiReferenceSetup
{
    public static void AddTicketingApiReference(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Ticketing API";
            document.Info.Description =
                "Operations whose security names Bearer need a token. Every error is an RFC 9457 problem " +
                "(`application/problem+json`) whose `type` is `urn:ticketing:problem:<code>`.";
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer<BearerScheme>();
        options.AddOperationTransformer<ProblemResponses>();
    });

    public static void MapTicketingApiReference(this WebApplication app)
    {
        app.MapOpenApi();

        // A self-hosted reference: nothing in it sends the document or requests to Scalar's cloud.
        app.MapScalarApiReference("/docs", options => options
            .WithTitle("Ticketing API")
            .AddPreferredSecuritySchemes(BearerScheme.Id)
            .HideClientButton()
            .HideDeveloperTools()
            .DisableAgent()
            .DisableMcp()
            .DisableTelemetry()
            .WithDocumentDownloadType(DocumentDownloadType.Json));
    }
}
