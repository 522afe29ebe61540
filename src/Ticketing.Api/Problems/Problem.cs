using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Ticketing.Api.Problems;

/// <summary>
/// RFC 9457 problems of the contract: every error's <c>type</c> is
/// <c>urn:ticketing:problem:&lt;code&gt;</c>.
/// </summary>
internal static class Problem
{
    public const string TypePrefix = "urn:ticketing:problem:";

    /// <summary>How long a client waits before retrying a 503 <c>unavailable</c>: a database restart or a silo failover takes seconds.</summary>
    public const string RetryAfterSeconds = "2";

    public static ProblemHttpResult Validation(IDictionary<string, string[]> errors) => TypedResults.Problem(new HttpValidationProblemDetails(errors)
    {
        Status = StatusCodes.Status422UnprocessableEntity,
        Type = TypePrefix + "validation",
        Title = "The request is not valid.",
        Detail = string.Join(" ", errors.SelectMany(field => field.Value)),
    });

    public static ProblemHttpResult Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult NotFound(string detail) =>
        Of(StatusCodes.Status404NotFound, "not-found", "Not found.", detail);

    public static ProblemHttpResult Conflict(string code, string title, string detail) =>
        Of(StatusCodes.Status409Conflict, code, title, detail);

    public static ProblemHttpResult Unauthorized() =>
        Of(StatusCodes.Status401Unauthorized, "unauthorized", "Authentication required.", "Send a valid bearer token in the Authorization header, or sign in (GET /signin) for a session.");

    public static ProblemHttpResult Forbidden() =>
        Forbidden("Your token's roles do not allow this request.");

    public static ProblemHttpResult Forbidden(string detail) =>
        Of(StatusCodes.Status403Forbidden, "forbidden", "Forbidden.", detail);

    /// <summary>A dependency (PostgreSQL, another silo) is briefly away: retry after Retry-After.</summary>
    public static ProblemDetails UnavailableDetails(string? detail = null) => new()
    {
        Status = StatusCodes.Status503ServiceUnavailable,
        Type = TypePrefix + "unavailable",
        Title = "The service is briefly unavailable.",
        Detail = detail ?? "A service this request depends on is briefly unavailable. Retry after the Retry-After seconds.",
    };

    public static ProblemHttpResult Unavailable(string detail) => TypedResults.Problem(UnavailableDetails(detail));

    public static ProblemHttpResult Of(int status, string code, string title, string detail) => TypedResults.Problem(
        statusCode: status,
        type: TypePrefix + code,
        title: title,
        detail: detail);

    /// <summary>The code for problems the framework raises by status alone (404 of an unknown route, 405, 415...).</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad-request",
        StatusCodes.Status401Unauthorized => "unauthorized",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status413PayloadTooLarge => "payload-too-large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        StatusCodes.Status422UnprocessableEntity => "validation",
        StatusCodes.Status503ServiceUnavailable => "unavailable",
        _ when status >= 500 => "internal",
        _ => "error",
    };
}
