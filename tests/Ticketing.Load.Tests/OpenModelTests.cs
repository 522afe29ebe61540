namespace Ticketing.Load.Tests;

/// <summary>
/// The open model's users are buyers: however the steps' times vary, no user
/// runs two steps at once (a buyer's second checkout on top of the first would
/// replace its own hold), and every user gets work.
/// </summary>
public sealed class OpenModelTests
{
    [Fact]
    public async Task EachUser_RunsOneStepAtATime_WhateverTheStepsTake()
    {
        const int users = 10;
        var busy = new int[users];
        var stepsOf = new int[users];
        var overlaps = 0;
        var shape = new LoadShape(users, Rate: 1_000, Duration: TimeSpan.FromSeconds(2), Warmup: TimeSpan.Zero);

        var result = await LoadRun.RunAsync("open model users", shape, async (user, cancellationToken) =>
        {
            if (Interlocked.Increment(ref busy[user]) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Interlocked.Increment(ref stepsOf[user]);
            // Uneven steps: a user's next turn by arrival order would often find it still busy.
            await Task.Delay(user % 3 == 0 ? 40 : 2, cancellationToken);
            Interlocked.Decrement(ref busy[user]);
            return StepOutcome.Success;
        });

        Assert.Equal(0, overlaps);
        Assert.All(stepsOf, steps => Assert.True(steps > 0));
        Assert.True(result.Requests > 0);
    }
}
