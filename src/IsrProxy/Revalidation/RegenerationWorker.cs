using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Proxy;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Revalidation;

/// <summary>
/// Regenerates stale entries in the background, at most <c>Isr:Regeneration:MaxConcurrency</c> at once. A success
/// replaces the entry for everyone; a failure keeps the last good entry and pushes the next attempt out by the back-off
/// (SPEC §2). On shutdown it takes no new work and gives running work until the shutdown timeout.
/// </summary>
internal sealed partial class RegenerationWorker(
    RegenerationQueue queue,
    CacheFiller filler,
    RuleSetProvider rules,
    ShutdownDrain drain,
    IsrMetrics metrics,
    TimeProvider time,
    IOptions<IsrOptions> options,
    ILogger<RegenerationWorker> logger) : BackgroundService
{
    private readonly RegenerationOptions _options = options.Value.Regeneration;
    private long _succeeded;
    private long _failed;

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public long Failed => Interlocked.Read(ref _failed);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        if (ExecuteTask is { } running)
        {
            var drained = await Task.WhenAny(running, Task.Delay(TimeSpan.FromSeconds(_options.ShutdownTimeoutSeconds), time, cancellationToken));
            if (drained != running)
            {
                Log.DrainTimedOut(logger, queue.Pending);
            }
        }

        drain.Abort();
        await base.StopAsync(cancellationToken);
    }

    // Runs on the drain token, not the host's stopping token: StopAsync closes the queue and the loops end once it is empty.
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Enumerable.Range(0, _options.MaxConcurrency).Select(_ => RunLoopAsync()));

    private async Task RunLoopAsync()
    {
        try
        {
            await foreach (var entry in queue.Reader.ReadAllAsync(drain.Token))
            {
                try
                {
                    await RegenerateAsync(entry);
                }
                finally
                {
                    queue.Completed(entry.Key);
                }
            }
        }
        catch (OperationCanceledException) when (drain.Token.IsCancellationRequested)
        {
            // Shutdown gave up waiting; queued work is dropped, stale entries stay served until the next start.
        }
    }

    private async Task RegenerateAsync(CacheEntry stale)
    {
        var rule = rules.Current.Match(stale.Path);
        var fill = new FillRequest(stale.PrimaryKey ?? stale.Key, stale.Path, stale.PathAndQuery, stale.RequestHeaders) { KnownVary = stale.VaryOn };
        var outcome = await filler.FillAsync(fill, rule, OriginPurpose.Regeneration);
        outcome.Streaming?.Dispose();
        if (outcome.Kind == FillKind.Stored)
        {
            Interlocked.Increment(ref _succeeded);
            metrics.Regeneration("succeeded");
            Log.Regenerated(logger, stale.Path, outcome.OriginDuration.TotalMilliseconds);
            return;
        }

        stale.RetryAfter = time.GetUtcNow() + TimeSpan.FromSeconds(_options.BackoffSeconds);   // before it is counted
        Interlocked.Increment(ref _failed);
        metrics.Regeneration("failed");
        Log.RegenerationFailed(logger, stale.Path, outcome.Kind, outcome.Reason, outcome.Error);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.Regenerated, LogLevel.Information, "Regenerated {Path} in {OriginMs} ms", EventName = "Regenerated")]
        public static partial void Regenerated(ILogger logger, string path, double originMs);

        [LoggerMessage(EventIds.RegenerationFailed, LogLevel.Warning, "Regeneration of {Path} failed ({Kind}, {Reason}); the last good page stays", EventName = "RegenerationFailed")]
        public static partial void RegenerationFailed(ILogger logger, string path, FillKind kind, Caching.Http.NotStoredReason reason, Exception? exception);

        [LoggerMessage(EventIds.DrainTimedOut, LogLevel.Warning, "Shutdown timeout reached with {Pending} regenerations unfinished", EventName = "DrainTimedOut")]
        public static partial void DrainTimedOut(ILogger logger, int pending);
    }
}
