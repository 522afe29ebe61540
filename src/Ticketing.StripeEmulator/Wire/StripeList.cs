using System.Text.Json.Serialization;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>Stripe's list object: <c>{object: "list", data, has_more, url}</c>.</summary>
public sealed record StripeList<T>(IReadOnlyList<T> Data, bool HasMore, string Url)
{
    [JsonPropertyOrder(-1)]
    public string Object => "list";

    public StripeList<T> Prepend(T item) => this with { Data = [item, .. Data] };
}
