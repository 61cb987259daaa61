namespace IsrProxy.Storage.Redis;

internal enum StoreMessageKind
{
    /// <summary>A new version of an entry was stored: drop it from L1, the next read finds it in Redis.</summary>
    Written,

    /// <summary>An entry was removed.</summary>
    Removed,

    /// <summary>A tag, path or subtree was stamped stale or expired.</summary>
    Marked,
}
