using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;
using Ticketing.Api.Idempotency;
using Ticketing.Api.Limits;
using Ticketing.Api.Problems;
using Ticketing.Persistence.Idempotency;

namespace Ticketing.Api.Reference;

/// <summary>
/// Lists each operation's problem responses, read from its endpoint: a token
/// (401, 403, and the bearer requirement), an id in the route (404), a body
/// or query (413, 422), an authenticated POST's Idempotency-Key (409, 422),
/// a rate limit (429), a dependency briefly away (503, any route), and whatever the route
/// declares with <see cref="ProblemAnswers.MayAnswer{TBuilder}"/>.
/// Read from metadata rather than written route by route, so a new route's
/// token, ids and body are described without anyone remembering to.
/// </summary>
internal sealed class ProblemResponses : IOpenApiOperationTransformer
{
    private const string ProblemJson = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var parameters = description.ParameterDescriptions;
        var needsToken = (metadata.OfType<IAuthorizeData>().Any() || metadata.OfType<AuthorizationPolicy>().Any())
            && !metadata.OfType<IAllowAnonymous>().Any();
        var takesBody = parameters.Any(p => p.Source == BindingSource.Body);
        var idempotent = needsToken && description.HttpMethod == HttpMethods.Post;

        // Declared outcomes first: they say what this route's problem means.
        var problems = new List<(int Status, string When)>();
        problems.AddRange(metadata.OfType<ProblemAnswer>().Select(answer => (answer.Status, answer.When)));
        if (needsToken)
        {
            problems.Add((StatusCodes.Status401Unauthorized, "`unauthorized`: no bearer token or session, or a token that is not valid (expired, wrong issuer or signature)."));
            problems.Add((StatusCodes.Status403Forbidden, "`forbidden`: the token's roles (or organizations) do not allow this request."));
            if (description.HttpMethod is { } method && !HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                problems.Add((StatusCodes.Status400BadRequest, $"`antiforgery`: signed in by the session cookie without the session's antiforgery token in {Auth.Sessions.AntiforgeryHeader}; nothing was done (a bearer token needs none)."));
            }
        }

        // A malformed id does not match the route; an unknown one, or one the caller may not see, is not found.
        if (parameters.Any(p => p.Source == BindingSource.Path && p.Type == typeof(Guid)))
        {
            problems.Add((StatusCodes.Status404NotFound, "`not-found`: no such resource, or none the caller may see."));
        }

        if (takesBody || metadata.OfType<BodyLimit>().Any())
        {
            var limit = metadata.OfType<BodyLimit>().LastOrDefault()?.Bytes ?? BodyLimits.Default;
            problems.Add((StatusCodes.Status413PayloadTooLarge, $"`payload-too-large`: the body is over this route's limit of {limit} bytes."));
        }

        if (takesBody || parameters.Any(p => p.Source == BindingSource.Query || (p.Source == BindingSource.Path && p.Type != typeof(Guid))))
        {
            problems.Add((StatusCodes.Status422UnprocessableEntity, "`validation`: the request is not valid; `errors` names each field and what is wrong with it."));
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().LastOrDefault() is { PolicyName: { } policy })
        {
            problems.Add((StatusCodes.Status429TooManyRequests, $"`rate-limited`: the caller went over its rate (policy `{policy}`) and nothing was done; retry after Retry-After seconds."));
        }

        // Every route reads PostgreSQL or calls a grain: either may be briefly away (Problem.UnavailableDetails).
        problems.Add((StatusCodes.Status503ServiceUnavailable, $"`unavailable`: PostgreSQL or another silo is briefly away and nothing was kept; retry after Retry-After ({Problem.RetryAfterSeconds}) seconds."));

        if (idempotent)
        {
            problems.Add((StatusCodes.Status409Conflict, $"`idempotency-in-progress`: a request with the same {IdempotencyMiddleware.Header} is still running; retry after Retry-After seconds."));
            problems.Add((StatusCodes.Status422UnprocessableEntity, $"`validation` or `idempotency-mismatch`: the {IdempotencyMiddleware.Header} is malformed, or was used for a different request."));
            AddIdempotencyKey(operation);
        }

        if (needsToken)
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme.Id, context.Document)] = [] });
        }

        operation.Responses ??= [];
        foreach (var status in problems.GroupBy(problem => problem.Status).OrderBy(group => group.Key))
        {
            var schema = await Schema(status.Key == StatusCodes.Status422UnprocessableEntity ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails), context, cancellationToken);
            operation.Responses[status.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = string.Join(" ", status.Select(problem => problem.When).Distinct()),
                Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = schema } },
            };
        }
    }

    private static void AddIdempotencyKey(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IdempotencyMiddleware.Header,
            In = ParameterLocation.Header,
            Description = $"Optional. The first response to a key is kept for {IdempotencyStore.KeptFor.TotalHours:0} hours and replayed (with `Idempotent-Replayed: true`) to a repeat of the same request.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 255 },
        });
    }

    /// <summary>A reference to the type's schema, added to the document's components the first time.</summary>
    private static async Task<IOpenApiSchema> Schema(Type type, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        if (document.Components?.Schemas?.ContainsKey(type.Name) != true)
        {
            document.AddComponent(type.Name, await context.GetOrCreateSchemaAsync(type, null, cancellationToken));
        }

        return new OpenApiSchemaReference(type.Name, document);
    }
}
