namespace Ticketing.Api.Auth;

/// <summary>
/// Where sign-in sends the browser afterwards: a path on this site, never an
/// address elsewhere, or anyone could send a link that signs a person in here
/// and then lands them on a look-alike page (an open redirect).
/// </summary>
internal static class ReturnUrl
{
    public const string Default = "/";

    private const int MaxLength = 2048;

    public const string Rule = "returnUrl must be a path on this site, such as /console.";

    /// <summary>The given path, <see cref="Default"/> when none is given, or null when it is not a local path.</summary>
    public static string? Local(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl))
        {
            return Default;
        }

        // "//host" and "/\host" are addresses of another host to a browser; a
        // backslash or a control character anywhere has no place in a path.
        var local = returnUrl.Length <= MaxLength
            && returnUrl[0] == '/'
            && (returnUrl.Length == 1 || returnUrl[1] is not '/')
            && !returnUrl.Contains('\\', StringComparison.Ordinal)
            && !returnUrl.Any(char.IsControl);
        return local ? returnUrl : null;
    }
}
