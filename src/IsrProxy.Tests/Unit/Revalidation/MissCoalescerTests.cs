using IsrProxy.Revalidation;
using IsrProxy.Tests.Unit.Storage;

namespace IsrProxy.Tests.Unit.Revalidation;

public sealed class MissCoalescerTests
{
    [Fact]
    public async Task ConcurrentCallers_ShareOneFill()
    {
        var coalescer = new MissCoalescer();
        var gate = new TaskCompletionSource<FillOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        Task<FillOutcome> Fill()
        {
            Interlocked.Increment(ref runs);
            return gate.Task;
        }

        var calls = Enumerable.Range(0, 50).Select(_ => coalescer.Run("/k", Fill)).ToList();
        gate.SetResult(FillOutcome.Stored(Entries.Make("/k")));
        var outcomes = await Task.WhenAll(calls.Select(c => c.Task));

        Assert.Equal(1, runs);
        Assert.Single(calls, c => c.IsLeader);
        Assert.All(outcomes, o => Assert.Same(outcomes[0], o));
        Assert.Equal(0, coalescer.InFlight);
    }

    [Fact]
    public async Task AFailure_IsSeenByEveryWaiter_AndNotRemembered()
    {
        var coalescer = new MissCoalescer();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<FillOutcome> Failing()
        {
            await gate.Task;
            throw new InvalidOperationException("boom");
        }

        var leader = coalescer.Run("/k", Failing);
        var waiter = coalescer.Run("/k", Failing);
        gate.SetResult();

        await Assert.ThrowsAsync<InvalidOperationException>(() => leader.Task);
        await Assert.ThrowsAsync<InvalidOperationException>(() => waiter.Task);
        var next = coalescer.Run("/k", () => Task.FromResult(FillOutcome.Stored(Entries.Make("/k"))));
        Assert.True(next.IsLeader);
        Assert.Equal(FillKind.Stored, (await next.Task).Kind);
    }
}
