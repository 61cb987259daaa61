using IsrProxy.Caching;
using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Proxy;
using IsrProxy.Rules;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Revalidation;

/// <summary>
/// Fetches every rule's <c>Prerender</c> paths into the cache at startup (Next's generateStaticParams), with bounded
/// concurrency, through the same coalescer as client misses. It runs in the background: the proxy serves at once, and
/// <see cref="Completion"/> tells readiness when warming is over.
/// </summary>
internal sealed partial class Prerenderer(
    RuleSetProvider rules,
    SitemapPaths sitemaps,
    MissCoalescer coalescer,
    CacheFiller filler,
    ShutdownDrain drain,
    IOptions<IsrOptions> options,
    ILogger<Prerenderer> logger) : BackgroundService
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Completion => _completion.Task;

    public int Warmed { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var work = new List<(RouteRule Rule, string Path)>();
            foreach (var rule in rules.Current.Rules.Where(r => !r.IsNeverCached))
            {
                var paths = new HashSet<string>(rule.Prerender, StringComparer.Ordinal);
                paths.UnionWith(await LoadSitemapAsync(rule));
                work.AddRange(paths.Select(path => (rule, path)));
            }

            var warmed = 0;
            await Parallel.ForEachAsync(
                work,
                new ParallelOptions { MaxDegreeOfParallelism = options.Value.Prerender.Concurrency, CancellationToken = drain.Token },
                async (item, _) =>
                {
                    if (await WarmAsync(item.Rule, item.Path))
                    {
                        Interlocked.Increment(ref warmed);
                    }
                });
            Warmed = warmed;
            Log.PrerenderDone(logger, warmed, work.Count);
        }
        catch (OperationCanceledException) when (drain.Token.IsCancellationRequested)
        {
            // Shut down while warming: what was fetched is stored, the rest is rendered on first request.
        }
        finally
        {
            _completion.TrySetResult();
        }
    }

    private async Task<IReadOnlyCollection<string>> LoadSitemapAsync(RouteRule rule)
    {
        try
        {
            return await sitemaps.LoadAsync(rule, drain.Token);
        }
        catch (Exception ex) when (!drain.Token.IsCancellationRequested)     // a broken sitemap never stops the proxy
        {
            Log.SitemapFailed(logger, rule.Match, ex);
            return [];
        }
    }

    private async Task<bool> WarmAsync(RouteRule rule, string path)
    {
        var pathAndQuery = new PathString(path).ToUriComponent();
        var primary = CacheKeys.Primary(pathAndQuery, static _ => null, rule);
        var fill = new FillRequest(primary, path, pathAndQuery, []);
        var (task, _) = coalescer.Run(primary, () => filler.FillAsync(fill, rule, OriginPurpose.Prerender));
        var outcome = await task;
        outcome.Streaming?.Dispose();
        if (outcome.Kind != FillKind.Stored)
        {
            Log.PrerenderFailed(logger, path, outcome.Kind, outcome.Error);
            return false;
        }

        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.PrerenderFailed, LogLevel.Warning, "Prerendering {Path} did not store a page ({Kind})", EventName = "PrerenderFailed")]
        public static partial void PrerenderFailed(ILogger logger, string path, FillKind kind, Exception? exception);

        [LoggerMessage(EventIds.SitemapFailed, LogLevel.Warning, "The sitemap of rule {Match} could not be read; its paths are not prerendered", EventName = "SitemapFailed")]
        public static partial void SitemapFailed(ILogger logger, string match, Exception exception);

        [LoggerMessage(EventIds.PrerenderDone, LogLevel.Information, "Prerendered {Warmed} of {Total} paths", EventName = "PrerenderDone")]
        public static partial void PrerenderDone(ILogger logger, int warmed, int total);
    }
}
