namespace Ticketing.Load.Transports;

/// <summary>Requests over a <see cref="LeanPool"/>: each answer's body is kept, so the scenario can read it.</summary>
public sealed class LeanTransport(Uri target) : Transport
{
    private readonly LeanPool pool = new(target);

    public override Task<(int Status, string? Body)> SendAsync(
        HttpMethod method, string path, string bearerToken, byte[]? body = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, string contentType = "application/json",
        CancellationToken cancellationToken = default) =>
        pool.SendAsync(LeanConnection.Request(method, target, path, bearerToken, body, contentType, headers), keepBody: true, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            pool.Dispose();
        }

        base.Dispose(disposing);
    }
}
