namespace IsrProxy.Storage.Redis;

/// <summary>
/// Keeps requests from each paying a timeout while the shared store is down: after a failure, calls are refused for
/// <c>openFor</c>; then one gets through, and its outcome closes or re-opens the breaker. A reconnect closes it at once.
/// </summary>
internal sealed class CircuitBreaker(TimeSpan openFor, TimeProvider time)
{
    private const long Closed = long.MinValue;
    private long _openedAt = Closed;

    public bool IsOpen => Volatile.Read(ref _openedAt) != Closed;

    public bool AllowsCall()
    {
        var openedAt = Volatile.Read(ref _openedAt);
        return openedAt == Closed || time.GetElapsedTime(openedAt) >= openFor;
    }

    /// <summary>Opens (or re-opens) the breaker; true when it was closed, i.e. the store just became unavailable.</summary>
    public bool Trip() => Interlocked.Exchange(ref _openedAt, time.GetTimestamp()) == Closed;

    /// <summary>Closes the breaker; true when it was open, i.e. the store just came back.</summary>
    public bool Close() => Volatile.Read(ref _openedAt) != Closed && Interlocked.Exchange(ref _openedAt, Closed) != Closed;
}
