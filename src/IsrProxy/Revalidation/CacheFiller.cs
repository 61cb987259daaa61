using IsrProxy.Caching;
using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.NextJs;
using IsrProxy.Observability;
using IsrProxy.Proxy;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Revalidation;

/// <summary>
/// One render: asks the origin, turns the answer into an entry and stores it when it may be stored. Shared by misses
/// (through <see cref="MissCoalescer"/>), background regeneration and prerendering. Never throws for origin or store
/// failures: they come back as a <see cref="FillOutcome"/>.
/// </summary>
internal sealed partial class CacheFiller(
    OriginClient origin,
    ICacheStore store,
    TimeProvider time,
    ShutdownDrain drain,
    NextJsFills nextJs,
    IsrMetrics metrics,
    IOptions<IsrOptions> options,
    ILogger<CacheFiller> logger)
{
    private readonly TimeSpan _defaultTimeout = TimeSpan.FromSeconds(options.Value.Proxy.DefaultMaxDurationSeconds);
    private readonly TagHeaderOptions _tagHeaders = options.Value.TagHeaders;
    private readonly CompressionOptions _compression = options.Value.Compression;

    public async Task<FillOutcome> FillAsync(FillRequest fill, RouteRule rule, OriginPurpose purpose)
    {
        var timeout = rule.MaxDuration ?? _defaultTimeout;
        using var deadline = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, drain.Token);
        var started = time.GetTimestamp();
        var renderStartedAt = time.GetUtcNow();
        OriginResponse response;
        try
        {
            response = await origin.SendAsync(fill, linked.Token);
            var withheld = VaryNamesWithheld(response, fill);
            if (withheld.Length > 0)
            {
                // The origin varies on a header this fill did not send: ask once more with it, so the stored variant
                // is the one its key says.
                response.Dispose();
                fill = fill.Forwarding(withheld);
                response = await origin.SendAsync(fill, linked.Token);
            }

            if (NextJsFills.NeedsPlainRefetch(fill, response))
            {
                // Next rendered for the purge and answered privately: its cache now holds the render, with its lifetime.
                response.Dispose();
                fill = fill with { PrerenderRevalidate = false };
                response = await origin.SendAsync(fill, linked.Token);
            }
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
        {
            Log.OriginTimedOut(logger, fill.Path, timeout.TotalSeconds);
            metrics.OriginFailed(purpose, "timeout");
            return FillOutcome.Failed(StatusCodes.Status504GatewayTimeout, ex).WithDuration(time.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            Log.OriginFailed(logger, fill.Path, ex);
            metrics.OriginFailed(purpose, "unreachable");
            return FillOutcome.Failed(StatusCodes.Status502BadGateway, ex).WithDuration(time.GetElapsedTime(started));
        }

        var duration = time.GetElapsedTime(started);
        metrics.OriginAnswered(purpose, response.StatusCode, duration);
        if (!response.IsComplete)
        {
            return FillOutcome.TooLarge(response).WithDuration(duration);      // the caller owns and disposes it
        }

        using (response)
        {
            nextJs.PrepareResponse(response);

            // Compressing a large body is the one CPU-heavy step of a fill: it goes to the thread pool, away from the
            // socket thread this fill may have started on.
            var build = _compression.Enabled && response.Length >= _compression.MinBytes
                ? await Task.Run(() => EntryFactory.Build(response, fill, rule, _tagHeaders, _compression, renderStartedAt, time.GetUtcNow()))
                : EntryFactory.Build(response, fill, rule, _tagHeaders, _compression, renderStartedAt, time.GetUtcNow());
            build = nextJs.Adjust(build, response, time.GetUtcNow());
            if (fill.NotFoundPage)
            {
                build = NotFoundPages.AsRulePage(build, rule, time.GetUtcNow());
            }

            if (!build.IsStorable)
            {
                Log.NotStored(logger, fill.Path, response.StatusCode, build.Refusal);
                return FillOutcome.NotStored(build.Entry, build.Refusal).WithDuration(duration);
            }

            await StoreAsync(build.Entry, fill);
            nextJs.AfterStored(build.Entry, purpose);
            return FillOutcome.Stored(build.Entry).WithDuration(duration);
        }
    }

    private async Task StoreAsync(CacheEntry entry, FillRequest fill)
    {
        try
        {
            if (entry.VaryOn.Length > 0)
            {
                await store.SetAsync(EntryFactory.VaryMarker(entry, fill), drain.Token);
            }

            await store.SetAsync(entry, drain.Token);
        }
        catch (Exception ex) when (!drain.Token.IsCancellationRequested)
        {
            Log.StoreWriteFailed(logger, entry.Path, ex);              // the answer is still served
            metrics.StoreError("set");
        }
    }

    private static string[] VaryNamesWithheld(OriginResponse response, FillRequest fill)
    {
        if (fill.Withheld.Count == 0 || !response.Message.Headers.TryGetValues("Vary", out var values))
        {
            return [];
        }

        return [.. EntryFactory.VaryNames(string.Join(",", values)).Where(fill.Withheld.ContainsKey)];
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.OriginTimedOut, LogLevel.Warning, "The origin did not answer {Path} within {Seconds} s", EventName = "OriginTimedOut")]
        public static partial void OriginTimedOut(ILogger logger, string path, double seconds);

        [LoggerMessage(EventIds.OriginFailed, LogLevel.Warning, "The origin failed to answer {Path}", EventName = "OriginFailed")]
        public static partial void OriginFailed(ILogger logger, string path, Exception exception);

        [LoggerMessage(EventIds.NotStored, LogLevel.Debug, "{Path} answered {Status} and was not stored ({Reason})", EventName = "NotStored")]
        public static partial void NotStored(ILogger logger, string path, int status, NotStoredReason reason);

        [LoggerMessage(EventIds.StoreWriteFailed, LogLevel.Warning, "Storing {Path} failed; the answer was served without being stored", EventName = "StoreWriteFailed")]
        public static partial void StoreWriteFailed(ILogger logger, string path, Exception exception);
    }
}
