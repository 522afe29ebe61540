using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Ticketing.StripeEmulator.Payments;

namespace Ticketing.StripeEmulator.Checkout;

/// <summary>
/// A page of the emulator's hosted checkout, rendered on the server: no script,
/// nothing loaded from elsewhere, readable on a phone. It stands in for what
/// Stripe.js's Payment Element shows, so it says plainly that it is the emulator
/// in test mode.
/// </summary>
public sealed record CheckoutPage(int StatusCode, string Title, string Main) : IResult
{
    public const string TestModeNotice = "Stripe emulator — test mode";

    private const string Style = """
        :root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1f2937;background:#f3f4f6}
        body{margin:0}
        .test-mode{margin:0;padding:.5rem 1rem;text-align:center;background:#fef3c7;color:#78350f;border-bottom:2px solid #b45309}
        main{max-width:28rem;margin:1.5rem auto;padding:1.5rem;background:#fff;border-radius:.5rem;box-shadow:0 1px 3px rgb(0 0 0/.2)}
        @media (max-width:30rem){main{margin:0;border-radius:0;box-shadow:none}}
        h1{font-size:1.5rem;line-height:1.25;margin:0 0 .5rem}
        h2{font-size:1.125rem;margin:1.5rem 0 .5rem}
        .description{margin:0 0 1rem;color:#374151}
        .field{margin:1rem 0}
        .pair{display:grid;grid-template-columns:1fr 1fr;gap:0 1rem;align-items:end}
        label{display:block;font-weight:600;margin-bottom:.25rem}
        input{box-sizing:border-box;width:100%;font:inherit;padding:.625rem .75rem;color:inherit;background:#fff;border:1px solid #6b7280;border-radius:.375rem}
        input[aria-invalid=true]{border:2px solid #b42318}
        button,.button{display:block;box-sizing:border-box;width:100%;margin-top:1.25rem;padding:.75rem 1rem;font:inherit;font-weight:600;text-align:center;text-decoration:none;color:#fff;background:#4338ca;border:0;border-radius:.375rem;cursor:pointer}
        button:hover,.button:hover{background:#3730a3}
        :focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
        .error{margin:.25rem 0;color:#b42318;font-weight:600}
        .error-summary{margin:1rem 0;padding:.75rem 1rem;border:2px solid #b42318;border-radius:.375rem}
        .error-summary h2{margin:0 0 .25rem;color:#b42318}
        .error-summary ul{margin:0;padding-left:1.25rem}
        .error-summary a{color:#b42318}
        .notice{margin:1rem 0;padding:.5rem .75rem;background:#fef2f2;border-left:4px solid #b42318}
        .hint{color:#4b5563;font-size:.9375rem}
        table{width:100%;border-collapse:collapse;font-size:.9375rem}
        th,td{text-align:left;padding:.375rem .25rem;border-bottom:1px solid #d1d5db}
        code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
        details{margin:0 0 1rem}
        summary{cursor:pointer}
        dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:.5rem 0;font-size:.9375rem;overflow-wrap:anywhere}
        dt{font-weight:600}
        dd{margin:0}
        """;

    // The page's only style is the block above; by its hash, nothing else is applied.
    private static readonly string SecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; "
        + "base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The card form for a payment not yet made; with what the buyer typed and what is wrong with it after a refused try.</summary>
    public static CheckoutPage Form(PaymentIntent intent, CardEntry entry, IReadOnlyDictionary<string, string> errors)
    {
        var amount = DisplayAmount.Of(intent.Amount, intent.Currency);
        var html = new StringBuilder();
        html.Append($"<h1>Pay {H(amount)}</h1>");
        if (intent.Description is { Length: > 0 } description)
        {
            html.Append($"<p class=\"description\">{H(description)}</p>");
        }

        html.Append("<details><summary>Payment details</summary><dl>");
        html.Append($"<dt>Payment</dt><dd><code>{H(intent.Id)}</code></dd>");
        foreach (var (key, value) in intent.Metadata)
        {
            html.Append($"<dt>{H(key)}</dt><dd><code>{H(value)}</code></dd>");
        }

        html.Append("</dl></details>");
        if (errors.Count == 0 && intent.LastPaymentError is { } declined)
        {
            html.Append($"<p class=\"notice\">The last attempt to pay was declined: {H(declined.Message)} Try another card.</p>");
        }

        if (errors.Count > 0)
        {
            html.Append("<div class=\"error-summary\" role=\"alert\"><h2>The payment was not made</h2><ul>");
            foreach (var (field, message) in errors)
            {
                html.Append($"<li><a href=\"#{field}\">{H(message)}</a></li>");
            }

            html.Append("</ul></div>");
        }

        // No action: the form posts to the page's own address, return_url and all, wherever a proxy serves it.
        html.Append("<form method=\"post\">");
        var first = errors.Keys.FirstOrDefault();
        html.Append(Field(CardEntry.NumberField, "Card number", entry.Number, "cc-number", errors, first));
        html.Append("<div class=\"pair\">");
        html.Append(Field(CardEntry.ExpiryField, "Expiry (MM / YY)", entry.Expiry, "cc-exp", errors, first));
        html.Append(Field(CardEntry.CvcField, "CVC", entry.Cvc, "cc-csc", errors, first));
        html.Append("</div>");
        html.Append($"<button type=\"submit\">Pay {H(amount)}</button></form>");

        html.Append("<h2 id=\"test-cards\">Test cards</h2>");
        html.Append("<table aria-labelledby=\"test-cards\"><thead><tr><th scope=\"col\">Card number</th><th scope=\"col\">Paying with it</th></tr></thead><tbody>");
        foreach (var card in TestCards.Numbers)
        {
            html.Append($"<tr><td><code>{H(card.Printed)}</code></td><td>{H(card.Outcome)}</td></tr>");
        }

        html.Append("</tbody></table>");
        html.Append("<p class=\"hint\">Any expiry date in the future and any three digits as the CVC. Any other card number is refused here, and nothing is charged.</p>");
        return new CheckoutPage(errors.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity, $"Pay {amount}", html.ToString());
    }

    /// <summary>A payment that has succeeded or was canceled: nothing more can be paid, only a way back.</summary>
    public static CheckoutPage Settled(PaymentIntent intent, ReturnUrl back, int statusCode)
    {
        var amount = DisplayAmount.Of(intent.Amount, intent.Currency);
        var succeeded = intent.Status == PaymentIntentStatus.Succeeded;
        var (title, text) = succeeded
            ? ("This payment is already made", $"{amount} was paid. Nothing more is charged.")
            : ("This payment was canceled", $"The payment of {amount} can no longer be made, and nothing was charged.");
        var link = back.After(intent, succeeded ? "succeeded" : "failed");
        return new CheckoutPage(
            statusCode,
            title,
            $"<h1>{H(title)}</h1><p>{H(text)}</p><a class=\"button\" href=\"{H(link)}\">Return to the shop</a>");
    }

    public static CheckoutPage UnknownPayment() => new(
        StatusCodes.Status404NotFound,
        "No such payment",
        "<h1>No such payment</h1><p>This payment link is unknown or malformed: nothing can be paid with it.</p>"
        + "<p>Go back to the shop and start the payment again.</p>");

    public static CheckoutPage BadReturnUrl(string problem) => new(
        StatusCodes.Status400BadRequest,
        "This payment link is incomplete",
        $"<h1>This payment link is incomplete</h1><p>{H(problem)}</p>"
        + "<p>The page that sent you here must name an absolute http or https return_url. Nothing was charged.</p>");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.ContentSecurityPolicy = SecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // The address holds the client secret: no other site hears of it.
        response.Headers["Referrer-Policy"] = "no-referrer";
        await response.WriteAsync(
            $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{H(Title)} · {TestModeNotice}</title>
            <style>{Style}</style>
            </head>
            <body>
            <header><p class="test-mode"><strong>{TestModeNotice}</strong>: no real card is charged and no money moves.</p></header>
            <main>
            {Main}
            </main>
            </body>
            </html>

            """,
            httpContext.RequestAborted);
    }

    private static string Field(
        string name, string label, string value, string autocomplete, IReadOnlyDictionary<string, string> errors, string? firstError)
    {
        var error = errors.GetValueOrDefault(name);
        var html = new StringBuilder($"<div class=\"field\"><label for=\"{name}\">{H(label)}</label>");
        if (error is not null)
        {
            html.Append($"<p class=\"error\" id=\"{name}-error\">{H(error)}</p>");
        }

        html.Append($"<input id=\"{name}\" name=\"{name}\" type=\"text\" inputmode=\"numeric\" autocomplete=\"{autocomplete}\" required value=\"{H(value)}\"");
        if (error is not null)
        {
            html.Append($" aria-invalid=\"true\" aria-describedby=\"{name}-error\"");
        }

        html.Append(name == firstError ? " autofocus></div>" : "></div>");
        return html.ToString();
    }

    private static string H(string text) => HtmlEncoder.Default.Encode(text);
}
