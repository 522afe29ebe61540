using System.Threading.Channels;

namespace Ticketing.Persistence.Tickets;

/// <summary>
/// Group reads: keys asked for while a read is running are read together in
/// the next one (one query, one round trip), each caller answered with its own
/// value. For the gate's rush of first scans, where every code and ticket is
/// read once on activation.
/// </summary>
public sealed class BatchedReads<TKey, TValue> : IAsyncDisposable
    where TKey : notnull
    where TValue : class
{
    private const int MostPerRead = 1000;

    private readonly Func<IReadOnlyList<TKey>, Task<Dictionary<TKey, TValue>>> read;
    private readonly Channel<(TKey Key, TaskCompletionSource<TValue?> Value)> queue =
        Channel.CreateUnbounded<(TKey, TaskCompletionSource<TValue?>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task reader;

    public BatchedReads(Func<IReadOnlyList<TKey>, Task<Dictionary<TKey, TValue>>> read)
    {
        this.read = read;
        reader = Task.Run(ReadAll);
    }

    public Task<TValue?> GetAsync(TKey key)
    {
        var value = new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite((key, value)))
        {
            value.SetException(new ObjectDisposedException(nameof(BatchedReads<TKey, TValue>)));
        }

        return value.Task;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await reader;
    }

    private async Task ReadAll()
    {
        var batch = new List<(TKey Key, TaskCompletionSource<TValue?> Value)>(MostPerRead);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MostPerRead && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            try
            {
                var values = await read([.. batch.Select(b => b.Key).Distinct()]);
                foreach (var (key, value) in batch)
                {
                    value.SetResult(values.GetValueOrDefault(key));
                }
            }
            catch (Exception failure)
            {
                foreach (var (_, value) in batch)
                {
                    value.SetException(failure);
                }
            }

            batch.Clear();
        }
    }
}
