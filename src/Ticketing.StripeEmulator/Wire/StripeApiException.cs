namespace Ticketing.StripeEmulator.Wire;

/// <summary>
/// A request Stripe would refuse, with the status and error body it would answer.
/// Thrown by the domain types; the error filter turns it into the response.
/// </summary>
public sealed class StripeApiException : Exception
{
    public StripeApiException(int statusCode, StripeError error, bool isParameterError = false)
        : base(error.Message)
    {
        StatusCode = statusCode;
        Error = error;
        IsParameterError = isParameterError;
    }

    public int StatusCode { get; }

    public StripeError Error { get; }

    /// <summary>
    /// Refused before the endpoint started: Stripe keeps no idempotent result for
    /// it, so the same key may be retried with corrected parameters.
    /// </summary>
    public bool IsParameterError { get; }

    public static StripeApiException ParameterMissing(string param) =>
        Parameter(param, "parameter_missing", $"Missing required param: {param}.");

    public static StripeApiException ParameterInvalid(string param, string message, string? code = null) =>
        Parameter(param, code, message);

    public static StripeApiException NoSuch(string kind, string id, string param) => new(
        StatusCodes.Status404NotFound,
        new StripeError { Type = StripeError.InvalidRequest, Code = "resource_missing", Message = $"No such {kind}: '{id}'", Param = param },
        isParameterError: true);

    public static StripeApiException InvalidRequest(string code, string message, string? param = null) => new(
        StatusCodes.Status400BadRequest,
        new StripeError { Type = StripeError.InvalidRequest, Code = code, Message = message, Param = param });

    public static StripeApiException Card(StripeError error) => new(StatusCodes.Status402PaymentRequired, error);

    public static StripeApiException Unauthorized(string message) => new(
        StatusCodes.Status401Unauthorized,
        new StripeError { Type = StripeError.InvalidRequest, Message = message },
        isParameterError: true);

    public static StripeApiException IdempotencyMismatch(string key) => new(
        StatusCodes.Status400BadRequest,
        new StripeError
        {
            Type = StripeError.IdempotencyError,
            Message = "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                + $"Try using a key other than '{key}' if you meant to execute a different request.",
        },
        isParameterError: true);

    public static StripeApiException IdempotencyKeyInUse(string key) => new(
        StatusCodes.Status409Conflict,
        new StripeError
        {
            Type = StripeError.IdempotencyError,
            Code = "idempotency_key_in_use",
            Message = $"There is currently another in-progress request using this Idempotent Key ('{key}'). Please try again later.",
        },
        isParameterError: true);

    public static StripeApiException UnrecognizedUrl(string method, string path) => new(
        StatusCodes.Status404NotFound,
        new StripeError
        {
            Type = StripeError.InvalidRequest,
            Message = $"Unrecognized request URL ({method}: {path}). This emulator implements only part of Stripe's API.",
        },
        isParameterError: true);

    private static StripeApiException Parameter(string param, string? code, string message) => new(
        StatusCodes.Status400BadRequest,
        new StripeError { Type = StripeError.InvalidRequest, Code = code, Message = message, Param = param },
        isParameterError: true);
}
