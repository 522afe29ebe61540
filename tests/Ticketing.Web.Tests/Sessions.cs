using System.Net.Http.Headers;
using Microsoft.Playwright;
using Ticketing.Testing;

namespace Ticketing.Web.Tests;

/// <summary>
/// Signs a browser in the way a deployment that issues tokens elsewhere does:
/// a bearer token turned into the session cookie (POST /auth/session), in the
/// page's own cookie jar. Journeys about the sign-in page itself click through it.
/// </summary>
public static class Sessions
{
    public static async Task SignInAsync(IPage page, string userId, string[] roles, string[]? organizations = null, Guid[]? events = null)
    {
        var token = TicketingApp.Token(userId, roles, organizations ?? [], events ?? []);
        var response = await page.Context.APIRequest.PostAsync("/auth/session", new APIRequestContextOptions
        {
            Headers = new Dictionary<string, string> { ["Authorization"] = new AuthenticationHeaderValue("Bearer", token).ToString() },
        });
        Assert.True(response.Status == 204, $"turning {userId}'s token into a session answered {response.Status}: {await response.TextAsync()}");
    }

    /// <summary>An API client of the silo acting as <paramref name="userId"/>, for a journey's setup and checks.</summary>
    public static HttpClient Api(WebWorld world, string userId, string[] roles, string[]? organizations = null) =>
        world.Silo.Client(TicketingApp.Token(userId, roles, organizations ?? [], []));
}
