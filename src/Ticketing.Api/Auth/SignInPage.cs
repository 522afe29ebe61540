using System.Text;
using System.Text.Encodings.Web;

namespace Ticketing.Api.Auth;

/// <summary>
/// The sign-in page, written by the server: in Development a form that signs
/// in as anyone with any roles (and a button for each of the four people
/// scripts/run.sh names); everywhere, sign-in through the OpenID Connect
/// authority when one is configured, and a form that turns a bearer token into
/// a session.
/// </summary>
internal sealed record SignInPage(string ReturnUrl, string AntiforgeryToken)
{
    /// <summary>The people scripts/run.sh prints tokens for, one button each in Development.</summary>
    private static readonly (string Label, string UserId, string Role, string Organization)[] DevelopmentPeople =
    [
        ("Buyer", "buyer-1", Roles.Buyer, ""),
        ("Organizer", "organizer-1", Roles.Organizer, ""),
        ("Gate scanner for organizer-1", "gate-1", Roles.Scanner, "organizer-1"),
        ("Operator (on call)", "oncall-1", Roles.Operator, ""),
    ];

    // Readable and usable on a phone without the shared stylesheet; /app/common.css refines it when present.
    private const string Style =
        """
        :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 16px; line-height: 1.5; color: #1b1f24; background: #f3f5f7; }
        body { margin: 0; }
        main { max-width: 36rem; margin: 0 auto; padding: 1rem; }
        section { background: #fff; border: 1px solid #cdd3da; border-radius: 8px; padding: 1rem; margin: 0 0 1rem; }
        h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
        h2 { font-size: 1.2rem; margin: 0 0 0.5rem; }
        label, legend { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
        fieldset { border: 1px solid #cdd3da; border-radius: 8px; margin: 0.75rem 0; }
        fieldset label { display: flex; gap: 0.5rem; align-items: center; font-weight: 400; margin: 0.25rem 0; min-height: 44px; }
        input[type="text"], textarea { font: inherit; width: 100%; padding: 0.5rem; min-height: 44px; border: 1px solid #4d5661; border-radius: 8px; box-sizing: border-box; }
        input[type="checkbox"] { width: 1.25rem; height: 1.25rem; }
        button, .button { font: inherit; cursor: pointer; border-radius: 8px; border: 1px solid #0b57d0; background: #0b57d0; color: #fff;
          padding: 0.55rem 1rem; min-height: 44px; margin-top: 0.75rem; text-decoration: none; display: inline-flex; align-items: center; }
        .people { display: flex; flex-wrap: wrap; gap: 0.5rem; }
        .people form { margin: 0; }
        .hint { color: #4d5661; font-size: 0.9rem; margin: 0.25rem 0 0; }
        .notice { border: 1px solid #a4161a; background: #fde3e3; color: #a4161a; border-radius: 8px; padding: 0.75rem 1rem; margin: 0 0 1rem; }
        .notice.info { border-color: #0b57d0; background: #e8f0fe; color: #1b1f24; }
        :focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
        """;

    /// <summary>
    /// Nothing on the page loads from elsewhere or runs script; its forms post
    /// only here; no other site may frame it (a framed sign-in form could be clicked through).
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public bool Development { get; init; }

    /// <summary>The authority's address, when people may sign in through it.</summary>
    public string? Authority { get; init; }

    /// <summary>Who the browser is signed in as now, if anyone.</summary>
    public string? SignedInAs { get; init; }

    /// <summary>Why the last attempt did not sign anyone in.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Whether /app/common.css is there to link.</summary>
    public bool SharedStylesheet { get; init; }

    /// <summary>The page as an answer, with <paramref name="status"/> (a failed sign-in's 401 or 422 shows the form again).</summary>
    public IResult Answer(HttpContext context, int status = StatusCodes.Status200OK)
    {
        var headers = context.Response.Headers;
        // It holds an antiforgery token bound to this browser: never kept by a cache.
        headers.CacheControl = "no-store";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        return Results.Content(Html(), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public string Html()
    {
        var html = new StringBuilder();
        html.Append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Sign in · Ticketing</title>\n");
        if (SharedStylesheet)
        {
            html.Append("<link rel=\"stylesheet\" href=\"/app/common.css\">\n");
        }

        html.Append("<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n<main>\n<h1>Sign in</h1>\n");
        if (Errors.Count > 0)
        {
            html.Append("<div class=\"notice\" role=\"alert\"><p>Not signed in:</p><ul>");
            foreach (var error in Errors)
            {
                html.Append("<li>").Append(Encode(error)).Append("</li>");
            }

            html.Append("</ul></div>\n");
        }

        if (SignedInAs is not null)
        {
            html.Append("<p class=\"notice info\">Signed in as <strong>").Append(Encode(SignedInAs))
                .Append("</strong>. Signing in again replaces this session.</p>\n");
        }

        if (Development)
        {
            AppendDevelopment(html);
        }

        if (Authority is not null)
        {
            html.Append("<section aria-labelledby=\"oidc-title\">\n<h2 id=\"oidc-title\">Your organization's account</h2>\n")
                .Append("<a class=\"button\" href=\"/auth/signin/oidc?returnUrl=").Append(Encode(Uri.EscapeDataString(ReturnUrl))).Append("\">Sign in with ")
                .Append(Encode(AuthorityName(Authority))).Append("</a>\n</section>\n");
        }

        html.Append("<section aria-labelledby=\"token-title\">\n<h2 id=\"token-title\">Sign in with a token</h2>\n")
            .Append("<form method=\"post\" action=\"/auth/session\">\n");
        AppendHidden(html);
        html.Append("<label for=\"token\">Bearer token</label>\n")
            .Append("<textarea id=\"token\" name=\"token\" rows=\"4\" required autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"token-hint\"></textarea>\n")
            .Append("<p class=\"hint\" id=\"token-hint\">A token your organization issued for this service. The session ends when the token does, within 12 hours.</p>\n")
            .Append("<button type=\"submit\">Sign in with this token</button>\n</form>\n</section>\n")
            .Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private void AppendDevelopment(StringBuilder html)
    {
        html.Append("<section aria-labelledby=\"people-title\">\n<h2 id=\"people-title\">Development: sign in as</h2>\n<div class=\"people\">\n");
        foreach (var (label, userId, role, organization) in DevelopmentPeople)
        {
            html.Append("<form method=\"post\" action=\"/auth/signin/development\">");
            AppendHidden(html);
            html.Append("<input type=\"hidden\" name=\"userId\" value=\"").Append(Encode(userId)).Append("\">")
                .Append("<input type=\"hidden\" name=\"role\" value=\"").Append(Encode(role)).Append("\">")
                .Append("<input type=\"hidden\" name=\"organizations\" value=\"").Append(Encode(organization)).Append("\">")
                .Append("<button type=\"submit\">").Append(Encode(label)).Append(": ").Append(Encode(userId)).Append("</button></form>\n");
        }

        html.Append("</div>\n</section>\n")
            .Append("<section aria-labelledby=\"anyone-title\">\n<h2 id=\"anyone-title\">Development: anyone, any roles</h2>\n")
            .Append("<form method=\"post\" action=\"/auth/signin/development\">\n");
        AppendHidden(html);
        html.Append("<label for=\"userId\">User id</label>\n")
            .Append("<input type=\"text\" id=\"userId\" name=\"userId\" required autocomplete=\"username\" spellcheck=\"false\">\n")
            .Append("<fieldset>\n<legend>Roles</legend>\n");
        foreach (var role in Roles.All)
        {
            html.Append("<label><input type=\"checkbox\" name=\"role\" value=\"").Append(role).Append("\"> ").Append(role).Append("</label>\n");
        }

        html.Append("</fieldset>\n")
            .Append("<label for=\"organizations\">Organizations (optional)</label>\n")
            .Append("<input type=\"text\" id=\"organizations\" name=\"organizations\" aria-describedby=\"organizations-hint\" spellcheck=\"false\">\n")
            .Append("<p class=\"hint\" id=\"organizations-hint\">Separated by commas. None: the user's own organization, named by the user id.</p>\n")
            .Append("<label for=\"events\">Events (optional)</label>\n")
            .Append("<input type=\"text\" id=\"events\" name=\"events\" aria-describedby=\"events-hint\" spellcheck=\"false\">\n")
            .Append("<p class=\"hint\" id=\"events-hint\">Event ids separated by commas: a scanner works only these events' gates.</p>\n")
            .Append("<button type=\"submit\">Sign in</button>\n</form>\n</section>\n");
    }

    private void AppendHidden(StringBuilder html) =>
        html.Append("<input type=\"hidden\" name=\"").Append(Sessions.AntiforgeryField).Append("\" value=\"").Append(Encode(AntiforgeryToken)).Append("\">")
            .Append("<input type=\"hidden\" name=\"returnUrl\" value=\"").Append(Encode(ReturnUrl)).Append("\">\n");

    private static string AuthorityName(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) ? uri.Authority : authority;

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
