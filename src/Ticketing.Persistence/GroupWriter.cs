using System.Threading.Channels;
using Npgsql;

namespace Ticketing.Persistence;

/// <summary>
/// Group commit for writes that each stand alone: the writes that arrive while
/// one is running go into the next, a single statement and transaction for the
/// lot, and each caller is answered with its own result. A write that comes
/// alone is written alone. When the lot fails as a whole (one write breaks a
/// constraint), each write is tried again on its own, so that only the write
/// at fault gets the error and the others are not lost.
/// </summary>
public sealed class GroupWriter<TWrite, TResult> : IAsyncDisposable
{
    private const int MostPerWrite = 200;

    private readonly Func<TWrite, Task<TResult>> alone;
    private readonly Func<IReadOnlyList<TWrite>, Task<IReadOnlyList<TResult>>> together;
    private readonly Channel<(TWrite Write, TaskCompletionSource<TResult> Done)> queue =
        Channel.CreateUnbounded<(TWrite, TaskCompletionSource<TResult>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task writer;

    /// <param name="alone">One write in a transaction of its own.</param>
    /// <param name="together">The lot in one statement, answering each write's result in order.</param>
    public GroupWriter(Func<TWrite, Task<TResult>> alone, Func<IReadOnlyList<TWrite>, Task<IReadOnlyList<TResult>>> together)
    {
        this.alone = alone;
        this.together = together;
        writer = Task.Run(WriteAll);
    }

    public Task<TResult> WriteAsync(TWrite write)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite((write, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(GroupWriter<TWrite, TResult>)));
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writer;
    }

    private async Task WriteAll()
    {
        var batch = new List<(TWrite Write, TaskCompletionSource<TResult> Done)>(MostPerWrite);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MostPerWrite && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 1)
            {
                await Alone(batch[0]);
            }
            else
            {
                await Together(batch);
            }

            batch.Clear();
        }
    }

    private async Task Alone((TWrite Write, TaskCompletionSource<TResult> Done) one)
    {
        try
        {
            one.Done.SetResult(await alone(one.Write));
        }
        catch (Exception failure)
        {
            one.Done.SetException(failure);
        }
    }

    private async Task Together(List<(TWrite Write, TaskCompletionSource<TResult> Done)> batch)
    {
        IReadOnlyList<TResult> results;
        try
        {
            results = await together([.. batch.Select(b => b.Write)]);
        }
        catch (PostgresException)
        {
            await Task.WhenAll(batch.Select(Alone));
            return;
        }
        catch (Exception failure)
        {
            foreach (var (_, done) in batch)
            {
                done.SetException(failure);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.SetResult(results[i]);
        }
    }
}
