using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Ticketing.Load;

/// <summary>
/// One keep-alive HTTP/1.1 connection that sends requests prepared once as
/// bytes and reads each answer only as far as its status and framing, as wrk
/// does. For the scenarios that measure one hot request: HttpClient takes a
/// large share of the cores the silo and PostgreSQL share with the load
/// (docs/performance.md), and that CPU is not the product's. One request at a
/// time on a connection: the caller pools them.
/// </summary>
public sealed class LeanConnection : IDisposable
{
    private static readonly byte[] EndOfHeaders = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] EndOfLine = "\r\n"u8.ToArray();
    private const string EndOfLineText = "\r\n";

    private readonly Socket socket;
    private byte[] buffer = new byte[8 * 1024];
    private int start;
    private int end;

    private LeanConnection(Socket socket) => this.socket = socket;

    /// <summary>False once the server said it closes the connection after its answer.</summary>
    public bool Reusable { get; private set; } = true;

    /// <summary>When the last answer was read whole (<see cref="Stopwatch"/> ticks).</summary>
    public long LastUsed { get; private set; } = Stopwatch.GetTimestamp();

    public static async Task<LeanConnection> OpenAsync(Uri target, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target.Host, target.Port, cancellationToken);
            return new LeanConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A request's bytes: method, path, host, bearer token, an optional body (JSON unless said otherwise) and any further headers.</summary>
    public static byte[] Request(
        HttpMethod method, Uri target, string path, string bearerToken, byte[]? body = null, string contentType = "application/json",
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{method.Method} {path} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {target.Authority}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Authorization: Bearer {bearerToken}\r\n");
        foreach (var (name, value) in headers ?? [])
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        if (body is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"Content-Type: {contentType}\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body?.Length ?? 0}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body ?? []];
    }

    /// <summary>Sends a prepared request; answers the status, and the body when asked for or when the status is 400 or more.</summary>
    public async Task<(int Status, string? Body)> SendAsync(ReadOnlyMemory<byte> request, bool keepBody, CancellationToken cancellationToken)
    {
        while (!request.IsEmpty)
        {
            var sent = await socket.SendAsync(request, SocketFlags.None, cancellationToken);
            request = request[sent..];
        }

        var headersEnd = await FillUntil(EndOfHeaders, cancellationToken);
        var headers = Encoding.ASCII.GetString(buffer, start, headersEnd - start);
        start = headersEnd + EndOfHeaders.Length;
        var status = int.Parse(headers.AsSpan(9, 3), CultureInfo.InvariantCulture);

        using var keep = keepBody || status >= 400 ? new MemoryStream() : null;
        if (Header(headers, "content-length") is { } length)
        {
            await ReadBody(int.Parse(length, CultureInfo.InvariantCulture), keep, cancellationToken);
        }
        else if (string.Equals(Header(headers, "transfer-encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            await ReadChunks(keep, cancellationToken);
        }

        Reusable = !string.Equals(Header(headers, "connection"), "close", StringComparison.OrdinalIgnoreCase);
        LastUsed = Stopwatch.GetTimestamp();
        return (status, keep is null ? null : Encoding.UTF8.GetString(keep.ToArray()));
    }

    public void Dispose() => socket.Dispose();

    private async Task ReadChunks(MemoryStream? keep, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lineEnd = await FillUntil(EndOfLine, cancellationToken);
            var size = int.Parse(Encoding.ASCII.GetString(buffer, start, lineEnd - start).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            start = lineEnd + EndOfLine.Length;
            if (size == 0)
            {
                // No trailers from Kestrel here: the empty line that ends the message.
                start = await FillUntil(EndOfLine, cancellationToken) + EndOfLine.Length;
                return;
            }

            await ReadBody(size, keep, cancellationToken);
            start = await FillUntil(EndOfLine, cancellationToken) + EndOfLine.Length;
        }
    }

    private async Task ReadBody(int length, MemoryStream? keep, CancellationToken cancellationToken)
    {
        while (length > 0)
        {
            if (start == end)
            {
                await Receive(cancellationToken);
            }

            var taken = Math.Min(length, end - start);
            keep?.Write(buffer, start, taken);
            start += taken;
            length -= taken;
        }
    }

    /// <summary>Receives until <paramref name="marker"/> is buffered; answers where it starts.</summary>
    private async Task<int> FillUntil(byte[] marker, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = buffer.AsSpan(start, end - start).IndexOf(marker);
            if (found >= 0)
            {
                return start + found;
            }

            await Receive(cancellationToken);
        }
    }

    private async Task Receive(CancellationToken cancellationToken)
    {
        if (start == end)
        {
            start = end = 0;
        }
        else if (end == buffer.Length)
        {
            if (start == 0)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            else
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
        }

        var received = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken);
        if (received == 0)
        {
            throw new IOException("The server closed the connection.");
        }

        end += received;
    }

    private static string? Header(string headers, string name)
    {
        foreach (var line in headers.Split(EndOfLineText))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }
}
