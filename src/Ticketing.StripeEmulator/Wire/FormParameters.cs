using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Ticketing.StripeEmulator.Wire;

/// <summary>
/// Stripe's request parameters: form fields (or the query string of a GET) whose
/// names nest with brackets, <c>metadata[order_id]=42</c>, <c>expand[]=x</c>,
/// <c>expand[0]=x</c>. An empty value means "unset", as at Stripe. Parameters
/// the emulator does not model are accepted and ignored.
/// </summary>
public sealed class FormParameters
{
    private readonly List<KeyValuePair<string, string>> pairs;

    private FormParameters(List<KeyValuePair<string, string>> pairs) => this.pairs = pairs;

    public static FormParameters Empty { get; } = new([]);

    /// <summary>The parameters in a stable order, to tell whether two requests asked the same.</summary>
    public string Fingerprint =>
        string.Join('&', pairs.Select(p => $"{p.Key}={p.Value}").Order(StringComparer.Ordinal));

    public static FormParameters From(IEnumerable<KeyValuePair<string, StringValues>> fields) =>
        new([.. fields.SelectMany(field => field.Value.Select(value => KeyValuePair.Create(field.Key, value ?? string.Empty)))]);

    public string? String(string name) =>
        pairs.LastOrDefault(p => p.Key == name).Value is { Length: > 0 } value ? value : null;

    public string RequiredString(string name) => String(name) ?? throw StripeApiException.ParameterMissing(name);

    public long? Integer(string name) => String(name) switch
    {
        null => null,
        var text when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) => value,
        var text => throw StripeApiException.ParameterInvalid(name, $"Invalid integer: {text}", "parameter_invalid_integer"),
    };

    public long RequiredInteger(string name) => Integer(name) ?? throw StripeApiException.ParameterMissing(name);

    public bool? Boolean(string name) => String(name) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var text => throw StripeApiException.ParameterInvalid(name, $"Invalid boolean: {text}"),
    };

    /// <summary>One level of <c>name[key]=value</c>, e.g. metadata; empty values drop the key.</summary>
    public IReadOnlyDictionary<string, string> Hash(string name)
    {
        var hash = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (ChildOf(name, key) is { } child && !child.Contains('[', StringComparison.Ordinal))
            {
                if (value.Length == 0)
                {
                    hash.Remove(child);
                }
                else
                {
                    hash[child] = value;
                }
            }
        }

        return hash;
    }

    /// <summary><c>name[]=a&amp;name[]=b</c> or <c>name[0]=a&amp;name[1]=b</c>, in the order given.</summary>
    public IReadOnlyList<string> Array(string name) =>
        [.. pairs.Where(p => ChildOf(name, p.Key) is { } child && (child.Length == 0 || child.All(char.IsAsciiDigit)) && p.Value.Length > 0)
            .Select(p => p.Value)];

    /// <summary>For <c>metadata[order_id]</c> and <c>metadata</c>, <c>order_id</c>; null when the key is not under the name.</summary>
    private static string? ChildOf(string name, string key) =>
        key.Length > name.Length + 1 && key.StartsWith(name, StringComparison.Ordinal) && key[name.Length] == '[' && key[^1] == ']'
            ? key[(name.Length + 1)..^1]
            : null;
}
