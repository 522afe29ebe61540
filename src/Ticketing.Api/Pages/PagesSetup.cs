using Microsoft.Extensions.FileProviders;
using Ticketing.Api.Limits;

namespace Ticketing.Api.Pages;

/// <summary>
/// The pages people touch (storefront, gate, console): static files served by
/// the silo on its own origin. They call the same API as everyone else, so
/// every permission and limit still applies to them.
/// </summary>
internal static class PagesSetup
{
    /// <summary>Each page's path and its file in wwwroot.</summary>
    public static readonly IReadOnlyDictionary<string, string> Pages = new Dictionary<string, string>
    {
        ["/"] = "index.html",
        ["/gate"] = "gate.html",
        ["/console"] = "console.html",
    };

    // Scripts and frames only from here, and from Stripe for Stripe.js's Payment Element with real Stripe.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self' https://js.stripe.com; frame-src https://js.stripe.com https://hooks.stripe.com; " +
        "connect-src 'self' https://api.stripe.com; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

    /// <summary>The pages' scripts, styles and vendored packages (/app, /vendor), before authentication: they are public.</summary>
    public static void UseTicketingPageAssets(this WebApplication app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = context =>
            {
                // Not fingerprinted: revalidated on every load, cheap with ETags, and never stale after an upgrade.
                context.Context.Response.Headers.CacheControl = "no-cache";
                context.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });

    public static void MapTicketingPages(this WebApplication app)
    {
        var root = app.Environment.WebRootFileProvider;
        foreach (var (path, file) in Pages)
        {
            app.MapGet(path, (HttpContext context) => Page(context, root, file))
                .ExcludeFromDescription()
                .RequireRateLimiting(RateLimits.Anonymous);
        }
    }

    private static IResult Page(HttpContext context, IFileProvider root, string file)
    {
        var info = root.GetFileInfo(file);
        if (!info.Exists)
        {
            throw new InvalidOperationException($"The page {file} is missing from wwwroot: the build did not copy it.");
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers["Permissions-Policy"] = "camera=(self), payment=(self)";
        return Results.File(info.PhysicalPath!, "text/html; charset=utf-8");
    }
}
