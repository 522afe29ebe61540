using System.Collections.Concurrent;

namespace Ticketing.Load;

/// <summary>
/// Kept-alive <see cref="LeanConnection"/>s to one server. A request takes an
/// idle connection (or opens one) and gives it back once its answer is read
/// whole; a connection that broke mid-answer is closed, never reused. Pooled
/// rather than one per virtual user: in an open model (--rate) the same user
/// index may have two requests in flight.
/// </summary>
public sealed class LeanPool(Uri target) : IDisposable
{
    private readonly ConcurrentBag<LeanConnection> idle = [];

    public Uri Target => target;

    /// <inheritdoc cref="LeanConnection.SendAsync"/>
    public async Task<(int Status, string? Body)> SendAsync(ReadOnlyMemory<byte> request, bool keepBody, CancellationToken cancellationToken)
    {
        var connection = idle.TryTake(out var open) ? open : await LeanConnection.OpenAsync(target, cancellationToken);
        try
        {
            var answer = await connection.SendAsync(request, keepBody, cancellationToken);
            idle.Add(connection);
            return answer;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        while (idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
