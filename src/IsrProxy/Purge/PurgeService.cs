using IsrProxy.Configuration;
using IsrProxy.NextJs;
using IsrProxy.Observability;
using IsrProxy.Revalidation;
using IsrProxy.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Purge;

/// <summary>
/// Carries out a purge: one stamp in the <see cref="TagClock"/>, whatever the number of entries it reaches. Only
/// <c>mode=refresh</c> looks the entries up (through the store's index) and queues their regeneration, which the
/// regeneration worker runs with its bounded concurrency. With a shared store the stamp is written there before the
/// purge is answered, so every replica sees it.
/// </summary>
internal sealed partial class PurgeService(
    TagClock clock,
    IClockReplication replication,
    ICacheStore store,
    RegenerationQueue regenerations,
    NextTagRegistry nextTags,
    TimeProvider time,
    IsrMetrics metrics,
    IOptions<IsrOptions> options,
    ILogger<PurgeService> logger)
{
    private readonly int _refreshLimit = options.Value.Regeneration.QueueCapacity;
    private long _purges;

    public long Purges => Interlocked.Read(ref _purges);

    /// <summary>
    /// A Next.js site has just told the tags of <paramref name="path"/>. A purge of one of those tags made before the
    /// proxy knew the page carries it (the site reports tags after rendering, so a purge can come first) reaches the
    /// page's entries rendered before that purge: the path gets the tag's stamps. Later renders are not touched.
    /// </summary>
    public Task CatchUpAsync(string path, IEnumerable<string> tags, CancellationToken ct)
    {
        DateTimeOffset? stale = null, expired = null;
        foreach (var tag in tags)
        {
            var (staleAt, expiredAt) = clock.Get(ClockKeys.Tag(tag));
            stale = Latest(stale, staleAt);
            expired = Latest(expired, expiredAt);
        }

        var key = ClockKeys.Path(path);
        var (pathStale, pathExpired) = clock.Get(key);
        var marked = false;
        if (stale is { } s && !(pathStale >= s))
        {
            clock.MarkStale(key, s);
            marked = true;
        }

        if (expired is { } e && !(pathExpired >= e))
        {
            clock.MarkExpired(key, e);
            marked = true;
        }

        return marked ? replication.FlushAsync(ct) : Task.CompletedTask;
    }

    /// <summary>Applies <paramref name="request"/>; returns when it took effect, and whether every replica sees it.</summary>
    public async Task<PurgeOutcome> PurgeAsync(PurgeRequest request, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var clockKey = request.ClockKey;

        // A tag a Next.js site gave its pages reaches them through their paths too, whenever they were rendered.
        string[] clockKeys = request.Target == PurgeTarget.Tag
            ? [clockKey, .. nextTags.PathsTagged(request.Value).Select(ClockKeys.Path)]
            : [clockKey];
        foreach (var key in clockKeys)
        {
            if (request.Mode == PurgeMode.Expire)
            {
                clock.MarkExpired(key, now);
            }
            else
            {
                clock.MarkStale(key, now);
            }
        }

        var shared = await replication.FlushAsync(ct);
        if (!shared)
        {
            Log.PurgeNotPropagated(logger, request.Target, request.Value);
        }

        var queued = 0;
        if (request.Mode == PurgeMode.Refresh)
        {
            // Entries past the queue's capacity stay marked stale: their next request regenerates them.
            foreach (var key in clockKeys)
            {
                foreach (var entry in await store.FindAsync(key, _refreshLimit, ct))
                {
                    if (regenerations.TryEnqueue(entry))
                    {
                        queued++;
                    }
                }
            }
        }

        Interlocked.Increment(ref _purges);
        metrics.Purge(request.Target, request.Mode);
        Log.PurgeAccepted(logger, request.Target, request.Value, request.Mode, queued);
        return new PurgeOutcome(now, shared);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.PurgeAccepted, LogLevel.Information, "Purged {Target} {Value} (mode {Mode}, {Queued} regenerations queued)", EventName = "PurgeAccepted")]
        public static partial void PurgeAccepted(ILogger logger, PurgeTarget target, string value, PurgeMode mode, int queued);

        [LoggerMessage(EventIds.PurgeNotPropagated, LogLevel.Warning, "Purge of {Target} {Value} applies on this replica only for now: the shared store is unreachable; it is written there when the store is back", EventName = "PurgeNotPropagated")]
        public static partial void PurgeNotPropagated(ILogger logger, PurgeTarget target, string value);
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
