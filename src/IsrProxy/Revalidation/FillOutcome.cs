using IsrProxy.Caching.Http;
using IsrProxy.Proxy;
using IsrProxy.Storage;

namespace IsrProxy.Revalidation;

internal enum FillKind
{
    /// <summary>Stored; every waiter is served the entry.</summary>
    Stored,

    /// <summary>A server error that was not stored: shared with every waiter, so a failing origin is not asked again at once.</summary>
    Shared,

    /// <summary>
    /// Any other answer that could not be stored (private, no-store, Set-Cookie, an uncacheable status, no freshness):
    /// it may depend on who asked, so it is handed to nobody; every request, the leader's too, asks the origin itself.
    /// </summary>
    Pass,

    /// <summary>Larger than the cacheable maximum: the leader streams it, waiters ask the origin themselves.</summary>
    TooLarge,

    /// <summary>The origin could not be reached or timed out.</summary>
    Failed,
}

/// <summary>The result of one origin fill, shared by every request that waited on it.</summary>
internal sealed class FillOutcome
{
    private int _streamClaimed;

    private FillOutcome(FillKind kind)
    {
        Kind = kind;
    }

    public FillKind Kind { get; }

    /// <summary>The response as an entry (for Stored, Shared and Pass).</summary>
    public CacheEntry? Entry { get; private init; }

    public NotStoredReason Reason { get; private init; }

    /// <summary>For TooLarge: the origin response, its buffered prefix and the rest of the body still to be read.</summary>
    public OriginResponse? Streaming { get; private init; }

    /// <summary>For Failed: 504 when the origin timed out, 502 otherwise.</summary>
    public int FailureStatus { get; private init; }

    public Exception? Error { get; private init; }

    public TimeSpan OriginDuration { get; init; }

    public static FillOutcome Stored(CacheEntry entry) => new(FillKind.Stored) { Entry = entry };

    public static FillOutcome NotStored(CacheEntry entry, NotStoredReason reason)
        => new(entry.StatusCode >= 500 && reason is not (NotStoredReason.SetCookie or NotStoredReason.Private) ? FillKind.Shared : FillKind.Pass)
        {
            Entry = entry,
            Reason = reason,
        };

    public static FillOutcome TooLarge(OriginResponse response) => new(FillKind.TooLarge) { Streaming = response, Reason = NotStoredReason.TooLarge };

    public static FillOutcome Failed(int status, Exception? error) => new(FillKind.Failed) { FailureStatus = status, Error = error, Reason = NotStoredReason.OriginError };

    public FillOutcome WithDuration(TimeSpan duration) => new(Kind)
    {
        Entry = Entry,
        Reason = Reason,
        Streaming = Streaming,
        FailureStatus = FailureStatus,
        Error = Error,
        OriginDuration = duration,
    };

    /// <summary>Hands the live stream of a TooLarge outcome to exactly one caller (the leader).</summary>
    public bool TryClaimStream() => Interlocked.Exchange(ref _streamClaimed, 1) == 0;
}
