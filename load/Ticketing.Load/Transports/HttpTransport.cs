using System.Net.Http.Headers;

namespace Ticketing.Load.Transports;

/// <summary>Requests through an <see cref="HttpClient"/>, for a test's in-process silo.</summary>
public sealed class HttpTransport(Uri target, HttpMessageHandler handler) : Transport
{
    private readonly HttpClient http = new(handler, disposeHandler: false) { BaseAddress = target, Timeout = TimeSpan.FromSeconds(30) };

    public override async Task<(int Status, string? Body)> SendAsync(
        HttpMethod method, string path, string bearerToken, byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, string contentType = "application/json",
        CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            http.Dispose();
        }

        base.Dispose(disposing);
    }
}
