using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Ticketing.Api.Reference;

/// <summary>
/// The JWT bearer scheme the API authenticates with, declared once so the
/// reference's Authorize box can send a token; <see cref="ProblemResponses"/>
/// requires it on the operations that need one.
/// </summary>
internal sealed class BearerScheme : IOpenApiDocumentTransformer
{
    public const string Id = "Bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.AddComponent(Id, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT whose `role` claims name the caller's roles. In development, `Ticketing.Api token --user alice --role buyer` prints one.",
        });
        return Task.CompletedTask;
    }
}
