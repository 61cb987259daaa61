using OpenTelemetry.Metrics;

namespace IsrProxy.Observability;

/// <summary>
/// A pull metric reader for the OpenTelemetry SDK that produces the Prometheus text exposition on demand.
/// Temporality is cumulative, as Prometheus expects. Scrapes are serialised, and each output is bounded.
/// </summary>
internal sealed class PrometheusMetricReader : BaseExportingMetricReader
{
    /// <summary>The content type of <see cref="CollectAsync"/>'s output.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public const int DefaultMaxOutputBytes = 4 * 1024 * 1024;
    public const int DefaultCollectTimeoutMilliseconds = 10_000;

    private const int InitialBufferBytes = 16 * 1024;
    private const int MinOutputBytes = 1024;

    private readonly PrometheusPullExporter _exporter;

    // Never disposed: it owns no wait handle, and disposing it could strand a scrape already waiting on it.
    private readonly SemaphoreSlim _scrapeLock = new(1, 1);
    private readonly int _maxOutputBytes;
    private readonly int _collectTimeoutMilliseconds;

    /// <param name="maxOutputBytes">A scrape whose text would exceed this fails instead of growing further.</param>
    /// <param name="collectTimeoutMilliseconds">How long one collection (including observable callbacks) may take.</param>
    /// <param name="includeScopeLabels">Whether samples carry <c>otel_scope_name</c>/<c>otel_scope_version</c>.</param>
    public PrometheusMetricReader(
        int maxOutputBytes = DefaultMaxOutputBytes,
        int collectTimeoutMilliseconds = DefaultCollectTimeoutMilliseconds,
        bool includeScopeLabels = true)
        : this(new PrometheusPullExporter(new PrometheusTextWriter(includeScopeLabels)), maxOutputBytes, collectTimeoutMilliseconds)
    {
    }

    private PrometheusMetricReader(PrometheusPullExporter exporter, int maxOutputBytes, int collectTimeoutMilliseconds)
        : base(exporter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutputBytes, MinOutputBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(collectTimeoutMilliseconds, 1);

        _exporter = exporter;
        _maxOutputBytes = maxOutputBytes;
        _collectTimeoutMilliseconds = collectTimeoutMilliseconds;
        TemporalityPreference = MetricReaderTemporalityPreference.Cumulative;
    }

    public int MaxOutputBytes => _maxOutputBytes;

    /// <summary>
    /// Collects every metric of the meter provider this reader is registered with and returns the exposition.
    /// Concurrent calls wait for each other; each gets its own complete output.
    /// </summary>
    /// <exception cref="MetricsCollectionException">
    /// The output exceeds <see cref="MaxOutputBytes"/>, collection timed out, the provider has shut down, or writing failed.
    /// </exception>
    public async Task<PrometheusScrape> CollectAsync(CancellationToken ct)
    {
        await _scrapeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var buffer = new BoundedBufferWriter(Math.Min(InitialBufferBytes, _maxOutputBytes), _maxOutputBytes);
            try
            {
                var leftOut = _exporter.Scrape(buffer, _collectTimeoutMilliseconds);
                return new PrometheusScrape(buffer, leftOut);
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
        }
        finally
        {
            _scrapeLock.Release();
        }
    }
}
