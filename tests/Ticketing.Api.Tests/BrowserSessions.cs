using System.Net;
using System.Text.RegularExpressions;

namespace Ticketing.Api.Tests;

/// <summary>What the browser session tests read off answers: cookies as set, and the sign-in page's hidden fields.</summary>
internal static partial class BrowserSessions
{
    public const string SessionCookie = "ticketing.session";

    /// <summary>The Set-Cookie line of <paramref name="name"/>, or null when the answer sets none.</summary>
    public static string? SetCookie(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
            ? cookies.FirstOrDefault(cookie => cookie.StartsWith(name + "=", StringComparison.Ordinal))
            : null;

    /// <summary>"name=value" of each cookie the answer sets, as a browser would send them back.</summary>
    public static IEnumerable<string> CookiePairs(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.Select(cookie => cookie.Split(';')[0]) : [];

    /// <summary>The attributes of a Set-Cookie line, lower-cased, without the name and value.</summary>
    public static HashSet<string> Attributes(string setCookie) =>
        [.. setCookie.Split(';').Skip(1).Select(attribute => attribute.Trim().ToLowerInvariant())];

    public static DateTimeOffset Expires(string setCookie) =>
        DateTimeOffset.Parse(
            setCookie.Split(';').Select(attribute => attribute.Trim()).Single(attribute => attribute.StartsWith("expires=", StringComparison.OrdinalIgnoreCase))["expires=".Length..],
            System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The antiforgery token a sign-in page put in its forms.</summary>
    public static string FormToken(string page) =>
        WebUtility.HtmlDecode(AntiforgeryField().Match(page) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException("The page has no antiforgery field."));

    /// <summary>Asks for the sign-in page as a browser does, and answers its form's antiforgery token (its cookie stays in the client).</summary>
    public static async Task<string> SignInFormTokenAsync(HttpClient browser, string returnUrl = "/")
    {
        using var response = await browser.GetAsync($"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}");
        var page = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /signin answered {(int)response.StatusCode}: {page}");
        return FormToken(page);
    }

    public static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(field => KeyValuePair.Create(field.Name, field.Value)));

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
