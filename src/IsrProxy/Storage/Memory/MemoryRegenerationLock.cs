namespace IsrProxy.Storage.Memory;

/// <summary>One process, one store: the lease is always granted (the regeneration queue keeps a key to one run at a time).</summary>
internal sealed class MemoryRegenerationLock : IRegenerationLock
{
    public ValueTask<IAsyncDisposable?> TryAcquireAsync(CacheEntry stale, TimeSpan hold, CancellationToken ct)
        => new(NoLease.Instance);

    private sealed class NoLease : IAsyncDisposable
    {
        public static readonly NoLease Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
