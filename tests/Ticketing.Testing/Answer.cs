using System.Net;

namespace Ticketing.Testing;

/// <summary>How one request of a rush was answered (<see cref="AnswerLog"/>).</summary>
/// <param name="Silo">Which silo was asked.</param>
/// <param name="Request">What was asked ("hold", "order"...).</param>
/// <param name="At">When the answer came.</param>
/// <param name="Status">The HTTP status; 0 when no answer came (<paramref name="Failure"/> says why).</param>
/// <param name="ProblemType">The RFC 9457 problem's type, when the answer is a problem.</param>
/// <param name="RetryAfter">The Retry-After header, when there is one.</param>
/// <param name="CreatedId">The id of what a 201 created.</param>
/// <param name="Body">The body as received.</param>
/// <param name="Failure">Why no answer came.</param>
public sealed record Answer(
    string Silo, string Request, DateTime At, int Status, string? ProblemType, string? RetryAfter, Guid? CreatedId, string Body, Exception? Failure)
{
    public const string Unavailable = "urn:ticketing:problem:unavailable";
    public const string TierUnavailable = "urn:ticketing:problem:tier-unavailable";

    public bool Acknowledged => Status == (int)HttpStatusCode.Created;

    /// <summary>A 503 of the contract: a dependency blinked, the client is told when to retry.</summary>
    public bool IsRetryLater =>
        Status == (int)HttpStatusCode.ServiceUnavailable && RetryAfter is { Length: > 0 } && ProblemType is Unavailable or TierUnavailable;

    /// <summary>Success, a refusal (4xx), or a 503 of the contract: anything else is a bug, a 500 first of all.</summary>
    public bool KeepsTheContract => Status is >= 200 and < 500 || IsRetryLater;

    public override string ToString() =>
        $"{Silo} {Request} at {At:HH:mm:ss.fff}: {(Failure is null ? $"{Status} {ProblemType} Retry-After {RetryAfter}: {Body}" : Failure.ToString())}";
}
