using System.Buffers;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace IsrProxy.Observability;

/// <summary>
/// The pull-only exporter behind <see cref="PrometheusMetricReader"/>. The SDK hands a batch to
/// <see cref="Export"/> only while <see cref="Scrape"/> runs its collect delegate, and the batch's metric points
/// are valid only during that call, so the exposition is written there, into the scrape's own buffer.
/// </summary>
[ExportModes(ExportModes.Pull)]
internal sealed class PrometheusPullExporter : BaseExporter<Metric>, IPullMetricExporter
{
    private readonly PrometheusTextWriter _writer;
    private readonly List<Metric> _batch = [];
    private IBufferWriter<byte>? _output;
    private Exception? _failure;
    private bool _exported;
    private int _leftOut;

    public PrometheusPullExporter(PrometheusTextWriter writer)
    {
        _writer = writer;
    }

    /// <summary>Set by the SDK's <see cref="BaseExportingMetricReader"/>; cleared when the reader is disposed.</summary>
    public Func<int, bool>? Collect { get; set; }

    /// <summary>
    /// Collects all metrics and writes them to <paramref name="output"/>. Callers must not overlap calls: the
    /// SDK folds concurrent collections into one export, which would leave all but one caller without output.
    /// </summary>
    /// <returns>The number of metric streams left out of the exposition.</returns>
    public int Scrape(IBufferWriter<byte> output, int timeoutMilliseconds)
    {
        var collect = Collect ?? throw new ObjectDisposedException(nameof(PrometheusMetricReader), "The metric reader was disposed; no metrics can be collected.");

        _output = output;
        _failure = null;
        _exported = false;
        _leftOut = 0;
        try
        {
            var collected = collect(timeoutMilliseconds);
            if (_failure is MetricsCollectionException tooLarge)
            {
                throw tooLarge;
            }

            if (_failure is not null)
            {
                throw new MetricsCollectionException($"Writing the metrics exposition failed: {_failure.Message}", _failure);
            }

            if (!collected || !_exported)
            {
                throw new MetricsCollectionException(
                    $"Collecting metrics did not complete within {timeoutMilliseconds} ms, or the meter provider has shut down.");
            }

            return _leftOut;
        }
        finally
        {
            _output = null;
            _failure = null;
        }
    }

    public override ExportResult Export(in Batch<Metric> batch)
    {
        var output = _output;
        if (output is null)
        {
            // Only the shutdown path collects outside a scrape; there is nobody to write to.
            return ExportResult.Failure;
        }

        _batch.Clear();
        foreach (var metric in batch)
        {
            _batch.Add(metric);
        }

        try
        {
            _leftOut = _writer.Write(_batch, output);
            _exported = true;
            return ExportResult.Success;
        }
        catch (Exception ex)
        {
            // The SDK would swallow this; Scrape rethrows it to the caller as a MetricsCollectionException.
            _failure = ex;
            return ExportResult.Failure;
        }
        finally
        {
            _batch.Clear();
        }
    }
}
