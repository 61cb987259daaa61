using IsrProxy.Configuration;
using IsrProxy.Revalidation;
using IsrProxy.Tests.Unit.Storage;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Unit.Revalidation;

public sealed class RegenerationQueueTests
{
    private static RegenerationQueue Queue(int capacity)
        => new(Options.Create(new IsrOptions { Regeneration = new RegenerationOptions { QueueCapacity = capacity } }));

    [Fact]
    public void AKey_IsQueuedOnce_UntilCompleted()
    {
        var queue = Queue(10);

        Assert.True(queue.TryEnqueue(Entries.Make("/a")));
        Assert.False(queue.TryEnqueue(Entries.Make("/a")));
        Assert.True(queue.Reader.TryRead(out var taken));
        Assert.False(queue.TryEnqueue(Entries.Make("/a")));                    // still running
        queue.Completed(taken.Entry.Key);
        Assert.True(queue.TryEnqueue(Entries.Make("/a")));
    }

    [Fact]
    public void WhenFull_NewWorkIsDropped_AndCounted()
    {
        var queue = Queue(2);

        Assert.True(queue.TryEnqueue(Entries.Make("/a")));
        Assert.True(queue.TryEnqueue(Entries.Make("/b")));
        Assert.False(queue.TryEnqueue(Entries.Make("/c")));

        Assert.Equal(1, queue.Dropped);
        Assert.Equal(2, queue.Pending);
        Assert.True(queue.Reader.TryRead(out _));
        Assert.True(queue.TryEnqueue(Entries.Make("/c")));                     // dropped work can be queued again later
    }

    [Fact]
    public void Close_RefusesNewWork()
    {
        var queue = Queue(10);
        queue.Close();

        Assert.False(queue.TryEnqueue(Entries.Make("/a")));
    }
}
