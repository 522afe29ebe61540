namespace Ticketing.Load.Transports;

/// <summary>
/// How a scenario's requests reach a server when it reads every answer:
/// kept-alive <see cref="LeanConnection"/>s to a real silo
/// (<see cref="LeanTransport"/>), or a test's in-process handler
/// (<see cref="HttpTransport"/>).
/// </summary>
public abstract class Transport : IDisposable
{
    /// <summary>Sends one request; answers its status and body.</summary>
    public abstract Task<(int Status, string? Body)> SendAsync(
        HttpMethod method, string path, string bearerToken, byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, string contentType = "application/json",
        CancellationToken cancellationToken = default);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
