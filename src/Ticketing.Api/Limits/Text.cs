namespace Ticketing.Api.Limits;

/// <summary>
/// What a string from a client must be before it is stored or looked up:
/// within its length, and free of control characters (NUL among them, which
/// PostgreSQL refuses) and of unpaired surrogates (which are not UTF-8).
/// </summary>
internal static class Text
{
    public static bool IsClean(string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Present, not blank, and clean.</summary>
    public static bool IsCleanText(string? value, int maxLength) =>
        !string.IsNullOrWhiteSpace(value) && IsClean(value, maxLength);
}
