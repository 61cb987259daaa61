using System.Diagnostics.Metrics;
using IsrProxy.Caching;
using IsrProxy.Purge;
using IsrProxy.Revalidation;
using IsrProxy.Redis;
using IsrProxy.Storage;
using IsrProxy.Storage.Redis;

namespace IsrProxy.Observability;

/// <summary>Why the origin was asked.</summary>
internal enum OriginPurpose
{
    /// <summary>A miss, rendered while the client waits.</summary>
    Fill,
    Regeneration,
    Prerender,

    /// <summary>A bypassed request, forwarded as it is.</summary>
    Forward,
}

/// <summary>
/// IsrProxy's own instruments on the <c>IsrProxy</c> meter. Instruments are made once; tags are only built when an
/// instrument is listened to. Exported at <c>/metrics</c> with ASP.NET Core's and HttpClient's built-in meters.
/// </summary>
internal sealed class IsrMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _originRequests;
    private readonly Histogram<double> _originDuration;
    private readonly Counter<long> _originErrors;
    private readonly Counter<long> _regenerations;
    private readonly Counter<long> _purges;
    private readonly Counter<long> _storeErrors;

    public IsrMetrics(
        IMeterFactory meters,
        ICacheStore store,
        RegenerationQueue queue,
        MissCoalescer coalescer,
        SharedStoreStats? shared = null,
        RedisClients? redis = null)
    {
        var meter = meters.Create(MetricsServiceCollectionExtensions.IsrMeterName);
        _requests = meter.CreateCounter<long>("isr.requests", "{request}", "Requests answered, by cache class (HIT, STALE, MISS, BYPASS).");
        _originRequests = meter.CreateCounter<long>("isr.origin.requests", "{request}", "Requests sent to the origin, by purpose and status class.");
        _originDuration = meter.CreateHistogram<double>(
            "isr.origin.duration",
            "s",
            "Time to the origin's response headers (fills read the whole body), by purpose.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _originErrors = meter.CreateCounter<long>("isr.origin.errors", "{error}", "Origin requests that failed without an answer (unreachable, timeout), by purpose.");
        _regenerations = meter.CreateCounter<long>("isr.regenerations", "{regeneration}", "Background regenerations by outcome.");
        _purges = meter.CreateCounter<long>("isr.purges", "{purge}", "On-demand purges by target and mode.");
        _storeErrors = meter.CreateCounter<long>("isr.store.errors", "{error}", "Store operations that failed and were treated as misses or skipped writes.");
        meter.CreateObservableGauge("isr.store.entries", () => store.Count, "{entry}", "Entries held by the store (responses and Vary markers).");
        meter.CreateObservableGauge("isr.store.bytes", () => store.Bytes, "By", "Approximate bytes held by the store.");
        meter.CreateObservableGauge("isr.regeneration.queue", () => queue.Pending, "{key}", "Keys queued or being regenerated.");
        meter.CreateObservableCounter("isr.regeneration.dropped", () => queue.Dropped, "{key}", "Regenerations not queued because the queue was full.");
        meter.CreateObservableGauge("isr.fills.in_flight", () => coalescer.InFlight, "{fill}", "Origin fills in flight (each shared by every waiting request).");
        if (shared is not null && redis is not null)
        {
            // Redis mode only.
            meter.CreateObservableCounter("isr.l1.hits", () => shared.L1Hits, "{lookup}", "Lookups answered by the in-process L1 without reading Redis.");
            meter.CreateObservableCounter("isr.redis.reads", () => shared.RedisReads, "{lookup}", "Lookups that read Redis.");
            meter.CreateObservableCounter("isr.redis.errors", () => shared.RedisErrors, "{error}", "Redis operations that failed (the proxy kept serving).");
            meter.CreateObservableCounter(
                "isr.redis.reconnects",
                () => (redis.Connection?.Reconnects ?? 0) + (redis.Subscriber?.Reconnects ?? 0),
                "{reconnect}",
                "Times the Redis command or subscriber connection was re-established.");
            meter.CreateObservableGauge(
                "isr.redis.connected",
                () => redis.Connection?.State == RedisConnectionState.Connected ? 1 : 0,
                "{connection}",
                "1 while the Redis command connection is up.");
        }
    }

    public void Request(CacheClass cacheClass)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, new KeyValuePair<string, object?>("cache_class", cacheClass.Label()));
        }
    }

    public void OriginAnswered(OriginPurpose purpose, int status, TimeSpan duration)
    {
        if (_originRequests.Enabled)
        {
            _originRequests.Add(1, new KeyValuePair<string, object?>("purpose", Label(purpose)), new KeyValuePair<string, object?>("status_class", $"{status / 100}xx"));
        }

        if (_originDuration.Enabled)
        {
            _originDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("purpose", Label(purpose)));
        }
    }

    public void OriginFailed(OriginPurpose purpose, string error)
    {
        if (_originErrors.Enabled)
        {
            _originErrors.Add(1, new KeyValuePair<string, object?>("purpose", Label(purpose)), new KeyValuePair<string, object?>("error", error));
        }
    }

    public void Regeneration(string outcome) => _regenerations.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Purge(PurgeTarget target, PurgeMode mode)
        => _purges.Add(1, new KeyValuePair<string, object?>("target", target.ToString().ToLowerInvariant()), new KeyValuePair<string, object?>("mode", mode.ToString().ToLowerInvariant()));

    public void StoreError(string operation) => _storeErrors.Add(1, new KeyValuePair<string, object?>("operation", operation));

    private static string Label(OriginPurpose purpose) => purpose switch
    {
        OriginPurpose.Fill => "fill",
        OriginPurpose.Regeneration => "regeneration",
        OriginPurpose.Prerender => "prerender",
        _ => "forward",
    };
}
