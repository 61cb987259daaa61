namespace IsrProxy.Storage;

/// <summary>
/// Who regenerates a stale key when several replicas share a store: one lease per key across the fleet, so one replica
/// renders while the others keep serving the stale entry. Within one process the regeneration queue already runs a key
/// once at a time.
/// </summary>
internal interface IRegenerationLock
{
    /// <summary>
    /// A lease to regenerate the key of <paramref name="stale"/>, held at most <paramref name="hold"/> and released when
    /// disposed; null when another replica holds one, or has already stored a render newer than <paramref name="stale"/>.
    /// When the shared store cannot be asked, the lease is granted: a local render beats serving stale for longer.
    /// </summary>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(CacheEntry stale, TimeSpan hold, CancellationToken ct);
}
