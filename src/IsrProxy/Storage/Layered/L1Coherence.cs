using IsrProxy.Storage.Memory;

namespace IsrProxy.Storage.Layered;

/// <summary>
/// Whether this replica's L1 may be trusted, and the bookkeeping that keeps it honest. L1 is trusted only while the
/// pub/sub subscription is up and has been resynchronised: until then a missed message could leave an old version in
/// it, so lookups read Redis. <see cref="Generation"/> moves on every invalidation, so a read that raced with one does
/// not leave what it read in L1.
/// </summary>
internal sealed class L1Coherence(MemoryCacheStore l1)
{
    private readonly Lock _sync = new();
    private long _generation;
    private long _epoch;
    private bool _trusted;

    public MemoryCacheStore L1 => l1;

    public bool IsTrusted => Volatile.Read(ref _trusted);

    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Changes each time trust is lost; a resynchronisation only restores trust if it did not change meanwhile.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>Another replica changed <paramref name="key"/>: the next lookup reads it from Redis.</summary>
    public void Invalidate(string key)
    {
        Interlocked.Increment(ref _generation);                       // before the removal: see Remember
        l1.Remove(key);
    }

    /// <summary>Messages may be missed from now on (the subscription dropped).</summary>
    public void Distrust()
    {
        lock (_sync)
        {
            Volatile.Write(ref _trusted, false);
            Interlocked.Increment(ref _epoch);
            Interlocked.Increment(ref _generation);
        }
    }

    /// <summary>
    /// Empties L1 and trusts it again, unless trust was lost after <paramref name="epoch"/> was read (then a newer
    /// resynchronisation follows). Call once subscribed and with the clock resynchronised.
    /// </summary>
    public bool TryTrust(long epoch)
    {
        lock (_sync)
        {
            if (Interlocked.Read(ref _epoch) != epoch)
            {
                return false;
            }

            l1.Clear();
            Interlocked.Increment(ref _generation);                   // reads begun before the clear must not fill L1
            Volatile.Write(ref _trusted, true);
            return true;
        }
    }

    /// <summary>
    /// Puts <paramref name="entry"/>, read or written while <see cref="Generation"/> was <paramref name="generation"/>,
    /// into L1 — and takes it out again if an invalidation came in between. Stored first and checked after, so an
    /// invalidation either is seen here or removes the entry itself.
    /// </summary>
    public void Remember(CacheEntry entry, long generation)
    {
        l1.Set(entry);
        if (Interlocked.Read(ref _generation) != generation)
        {
            l1.Remove(entry.Key);
        }
    }
}
