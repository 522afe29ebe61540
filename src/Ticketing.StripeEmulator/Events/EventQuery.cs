using Ticketing.StripeEmulator.Wire;

namespace Ticketing.StripeEmulator.Events;

/// <summary>
/// <c>GET /v1/events</c> parameters: <c>limit</c> (1-100, default 10),
/// <c>starting_after</c> / <c>ending_before</c> (event ids, newest first),
/// <c>type</c> or <c>types[]</c> (a trailing <c>*</c> matches a prefix, <c>charge.dispute.*</c>).
/// </summary>
public sealed record EventQuery(int Limit, string? StartingAfter, string? EndingBefore, IReadOnlyList<string> Types)
{
    public static EventQuery From(FormParameters parameters)
    {
        var limit = parameters.Integer("limit") ?? 10;
        if (limit is < 1 or > 100)
        {
            throw StripeApiException.ParameterInvalid(
                "limit", "This value must be greater than or equal to 1 and less than or equal to 100.", "parameter_invalid_integer");
        }

        var types = parameters.String("type") is { } type ? [type] : parameters.Array("types");
        return new EventQuery((int)limit, parameters.String("starting_after"), parameters.String("ending_before"), types);
    }

    public bool Matches(StripeEvent stripeEvent) =>
        Types.Count == 0 || Types.Any(type => type.EndsWith('*')
            ? stripeEvent.Type.StartsWith(type[..^1], StringComparison.Ordinal)
            : stripeEvent.Type == type);
}
