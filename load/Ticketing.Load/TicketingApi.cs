using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ticketing.Load;

/// <summary>The API as the load's virtual users call it, each with a bearer token minted from the signing key.</summary>
/// <remarks>A test passes <paramref name="handler"/> to run scenarios against an in-process silo.</remarks>
public sealed class TicketingApi(Uri target, string signingKey, int connections, HttpMessageHandler? handler = null) : IDisposable
{
    private readonly HttpClient http = new(handler ?? new SocketsHttpHandler
    {
        MaxConnectionsPerServer = Math.Max(1, connections),
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
    })
    {
        BaseAddress = target,
        Timeout = TimeSpan.FromSeconds(30),
    };

    private readonly Dictionary<string, string> tokens = [];

    /// <summary>The organizer that sets up every event and tier of a run; its personal organization owns them.</summary>
    public const string Organizer = "load-organizer";

    public Uri Target => target;
    private readonly Lock tokensGate = new();

    public string Token(string userId, string role)
    {
        lock (tokensGate)
        {
            var key = role + ":" + userId;
            if (!tokens.TryGetValue(key, out var token))
            {
                tokens[key] = token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
                {
                    Issuer = "ticketing",
                    Audience = "ticketing-api",
                    // Gates work the events of the organization that set them up.
                    Subject = new ClaimsIdentity(role == "scanner"
                        ? [new Claim("sub", userId), new Claim("role", role), new Claim("org", Organizer)]
                        : [new Claim("sub", userId), new Claim("role", role)]),
                    Expires = DateTime.UtcNow.AddHours(6),
                    SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
                });
            }

            return token;
        }
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string userId, string role, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId, role));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The hot path of a scenario: the body is read, but parsed only when the request failed.</summary>
    public async Task<(HttpStatusCode Status, string? Failure)> SendLeanAsync(HttpMethod method, string path, string userId, string role, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token(userId, role));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            await response.Content.CopyToAsync(Stream.Null, cancellationToken);
            return (response.StatusCode, null);
        }

        return (response.StatusCode, Cause(response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken)));
    }

    /// <summary>Why a request failed, for the failure table, from its problem's text.</summary>
    public static string Cause(HttpStatusCode status, string? body)
    {
        try
        {
            return Cause(status, string.IsNullOrEmpty(body) ? default : JsonDocument.Parse(body).RootElement);
        }
        catch (JsonException)
        {
            return ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Why a request failed, for the failure table: the status and the problem code.</summary>
    public static string Cause(HttpStatusCode status, JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("type", out var type)
            ? $"{(int)status} {type.GetString()?.Replace("urn:ticketing:problem:", "", StringComparison.Ordinal)}"
            : ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Creates an event and one tier as an organiser; answers the tier id.</summary>
    public async Task<Guid> CreateTierAsync(string title, int capacity, int maxPerOrder = 10)
    {
        var (status, created) = await SendAsync(HttpMethod.Post, "/api/events", Organizer, "organizer",
            new { title, startsAt = DateTimeOffset.UtcNow.AddDays(30) }, CancellationToken.None);
        Expect(HttpStatusCode.Created, status, created);
        var eventId = created.GetProperty("id").GetGuid();
        (status, var tier) = await SendAsync(HttpMethod.Post, $"/api/events/{eventId}/tiers", Organizer, "organizer",
            new { name = "Load", priceCents = 2500, currency = "eur", capacity, maxPerOrder }, CancellationToken.None);
        Expect(HttpStatusCode.Created, status, tier);
        return tier.GetProperty("id").GetGuid();
    }

    public async Task<JsonElement> GetTierAsync(Guid tierId)
    {
        var (status, tier) = await SendAsync(HttpMethod.Get, $"/api/tiers/{tierId}", Organizer, "organizer", null, CancellationToken.None);
        Expect(HttpStatusCode.OK, status, tier);
        return tier;
    }

    public void Dispose() => http.Dispose();

    /// <summary>Stops a scenario's setup at the first answer it did not expect.</summary>
    public static void Expect(HttpStatusCode expected, HttpStatusCode status, JsonElement body)
    {
        if (status != expected)
        {
            throw new InvalidOperationException($"Expected {(int)expected}, got {(int)status}: {body}");
        }
    }
}
