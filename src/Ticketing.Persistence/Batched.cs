using System.Threading.Channels;
using Npgsql;

namespace Ticketing.Persistence;

/// <summary>
/// Calls to the database made together (group commit, for writes): the calls
/// that arrive while one is running go into the next, a single statement and
/// transaction for the lot, and each caller is answered with its own result.
/// A call that comes alone is made alone. When the lot fails as a whole (one
/// write breaks a constraint), each call is made again on its own, so that only
/// the one at fault gets the error and the others are not lost.
/// </summary>
public sealed class Batched<TCall, TResult> : IAsyncDisposable
{
    private const int MostPerCall = 200;

    private readonly Func<TCall, Task<TResult>>? alone;
    private readonly Func<IReadOnlyList<TCall>, Task<IReadOnlyList<TResult>>> together;
    private readonly Channel<(TCall Call, TaskCompletionSource<TResult> Done)> queue =
        Channel.CreateUnbounded<(TCall, TaskCompletionSource<TResult>)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Task loop;

    /// <param name="alone">One call, in a transaction of its own.</param>
    /// <param name="together">The lot in one statement, answering each call's result in order.</param>
    public Batched(Func<TCall, Task<TResult>> alone, Func<IReadOnlyList<TCall>, Task<IReadOnlyList<TResult>>> together)
        : this(together) => this.alone = alone;

    /// <summary>
    /// Reads: no call can be at fault for the lot, so a failure is every
    /// caller's, not made again one by one (a database refusing a statement
    /// under load would get a statement for each).
    /// </summary>
    /// <param name="together">The lot in one statement (a call alone is a lot of one), answering each call's result in order.</param>
    public Batched(Func<IReadOnlyList<TCall>, Task<IReadOnlyList<TResult>>> together)
    {
        this.together = together;
        loop = Task.Run(CallAll);
    }

    public Task<TResult> CallAsync(TCall call)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!queue.Writer.TryWrite((call, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(Batched<TCall, TResult>)));
        }

        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop;
    }

    private async Task CallAll()
    {
        var batch = new List<(TCall Call, TaskCompletionSource<TResult> Done)>(MostPerCall);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MostPerCall && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            if (batch.Count == 1 && alone is not null)
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

    private async Task Alone((TCall Call, TaskCompletionSource<TResult> Done) one)
    {
        try
        {
            one.Done.SetResult(await alone!(one.Call));
        }
        catch (Exception failure)
        {
            one.Done.SetException(failure);
        }
    }

    private async Task Together(List<(TCall Call, TaskCompletionSource<TResult> Done)> batch)
    {
        IReadOnlyList<TResult> results;
        try
        {
            results = await together([.. batch.Select(b => b.Call)]);
        }
        catch (PostgresException) when (alone is not null)
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
