using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Ticketing.Abstractions.Tiers;
using Ticketing.Grains.Failures;

namespace Ticketing.Api.Problems;

internal static class ProblemSetup
{
    public static void AddTicketingProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            if (problem.Type is null || !problem.Type.StartsWith(Problem.TypePrefix, StringComparison.Ordinal))
            {
                problem.Type = Problem.TypePrefix + Problem.CodeFor(status);
            }

            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<UnreadableRequestHandler>();
        services.AddExceptionHandler<TierUnavailableHandler>();
        services.AddExceptionHandler<DependencyUnavailableHandler>();

        // A body that does not bind throws instead of answering a bare 400, so
        // the handler below can say what was wrong with it.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(options => options.SerializerOptions.AllowTrailingCommas = false);
    }

    /// <summary>A tier that could not make a change durable kept nothing: 503, retry.</summary>
    private sealed class TierUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not TierUnavailableException unavailable)
            {
                return false;
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Type = Problem.TypePrefix + "tier-unavailable",
                    Title = "The tier is briefly unavailable.",
                    Detail = unavailable.Message,
                },
            });
        }
    }

    /// <summary>
    /// A dependency blinked (<see cref="TransientFailure"/>): 503 with
    /// Retry-After, a warning in the log. Anything no handler takes is a bug:
    /// the middleware answers 500 and logs it as an error.
    /// </summary>
    private sealed class DependencyUnavailableHandler(IProblemDetailsService problems, ILogger<DependencyUnavailableHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (!TransientFailure.Is(exception))
            {
                return false;
            }

            logger.LogWarning(exception, "{Method} {Path} answered 503: a dependency is unavailable", context.Request.Method, context.Request.Path);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = Problem.RetryAfterSeconds;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = Problem.UnavailableDetails(),
            });
        }
    }

    /// <summary>Malformed or mistyped JSON is a 422 validation problem that changes nothing.</summary>
    private sealed class UnreadableRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
            {
                return false;
            }

            var unreadableJson = bad.InnerException is JsonException || bad.StatusCode == StatusCodes.Status400BadRequest;
            var status = unreadableJson ? StatusCodes.Status422UnprocessableEntity : bad.StatusCode;
            context.Response.StatusCode = status;
            var detail = bad.InnerException is JsonException json ? $"The body is not valid JSON for this request: {json.Message}" : bad.Message;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails =
                {
                    Status = status,
                    Type = Problem.TypePrefix + Problem.CodeFor(status),
                    Title = unreadableJson ? "The request is not valid." : "The request could not be read.",
                    Detail = detail,
                },
            });
        }
    }
}
