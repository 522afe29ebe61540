using System.Collections.Concurrent;
using System.Diagnostics;

namespace Ticketing.Load;

/// <summary>
/// Kept-alive <see cref="LeanConnection"/>s to one server. A request takes an
/// idle connection (or opens one) and gives it back once its answer is read
/// whole; a connection that broke mid-answer or timed out, that the server
/// said it closes, or that sat idle long enough for the server to drop it
/// (Kestrel's keep-alive timeout is 130 s) is closed, never reused. Pooled
/// rather than one per virtual user: in an open model (--rate) the same user
/// index may have two requests in flight.
/// </summary>
public sealed class LeanPool(Uri target) : IDisposable
{
    private static readonly TimeSpan IdleAtMost = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(30);

    private readonly ConcurrentBag<LeanConnection> idle = [];

    public Uri Target => target;

    /// <inheritdoc cref="LeanConnection.SendAsync"/>
    /// <exception cref="OperationCanceledException">No answer within 30 s, or <paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<(int Status, string? Body)> SendAsync(ReadOnlyMemory<byte> request, bool keepBody, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(AnswerWithin);
        var connection = await Take(timeout.Token);
        try
        {
            var answer = await connection.SendAsync(request, keepBody, timeout.Token);
            GiveBack(connection);
            return answer;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task<LeanConnection> Take(CancellationToken cancellationToken)
    {
        while (idle.TryTake(out var open))
        {
            if (Stopwatch.GetElapsedTime(open.LastUsed) < IdleAtMost)
            {
                return open;
            }

            open.Dispose();
        }

        return await LeanConnection.OpenAsync(target, cancellationToken);
    }

    private void GiveBack(LeanConnection connection)
    {
        if (connection.Reusable)
        {
            idle.Add(connection);
        }
        else
        {
            connection.Dispose();
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
