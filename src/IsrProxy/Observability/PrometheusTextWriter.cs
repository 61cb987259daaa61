using System.Buffers;
using System.Runtime.CompilerServices;
using OpenTelemetry.Metrics;
using static IsrProxy.Observability.PrometheusTextEncoder;

namespace IsrProxy.Observability;

/// <summary>
/// Serialises collected OpenTelemetry metrics as the Prometheus text exposition format, version 0.0.4.
/// </summary>
/// <remarks>
/// Monotonic cumulative sums become counters (<c>_total</c>), non-monotonic sums and gauges become gauges,
/// explicit-bucket histograms become histograms with cumulative <c>_bucket</c> series ending in
/// <c>le="+Inf"</c> plus <c>_sum</c> and <c>_count</c>. Exponential histograms and delta streams are left out.
/// Every sample carries <c>otel_scope_name</c> (and <c>otel_scope_version</c> when set) unless disabled.
/// Not thread-safe: one instance serves one scrape at a time (the reader serialises scrapes).
/// </remarks>
internal sealed class PrometheusTextWriter
{
    private readonly ConditionalWeakTable<Metric, PrometheusFamily> _families = new();
    private readonly PrometheusLabelSet _labels;

    public PrometheusTextWriter(bool includeScopeLabels = true)
    {
        _labels = new PrometheusLabelSet(includeScopeLabels);
    }

    /// <summary>Writes every metric and returns how many metric streams were left out.</summary>
    public int Write(IReadOnlyList<Metric> metrics, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(output);

        var (groups, leftOut) = GroupByFamily(metrics);
        foreach (var group in groups)
        {
            WriteFamily(group, output);
        }

        return leftOut;
    }

    internal static PrometheusMetricKind KindOf(Metric metric) => metric.MetricType switch
    {
        MetricType.LongSum or MetricType.DoubleSum when metric.Temporality == AggregationTemporality.Cumulative
            => PrometheusMetricKind.Counter,
        MetricType.LongSumNonMonotonic or MetricType.DoubleSumNonMonotonic or MetricType.LongGauge or MetricType.DoubleGauge
            => PrometheusMetricKind.Gauge,
        MetricType.Histogram when metric.Temporality == AggregationTemporality.Cumulative
            => PrometheusMetricKind.Histogram,
        _ => PrometheusMetricKind.Unsupported,
    };

    private static PrometheusFamily CreateFamily(Metric metric)
    {
        var kind = KindOf(metric);
        return new PrometheusFamily(
            PrometheusNaming.FamilyName(metric.Name, metric.Unit, kind),
            kind,
            metric.MeterName,
            string.IsNullOrEmpty(metric.MeterVersion) ? null : metric.MeterVersion);
    }

    private static ReadOnlySpan<byte> TypeText(PrometheusMetricKind kind) => kind switch
    {
        PrometheusMetricKind.Counter => "counter"u8,
        PrometheusMetricKind.Gauge => "gauge"u8,
        PrometheusMetricKind.Histogram => "histogram"u8,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, $"Metric kind {kind} has no Prometheus type."),
    };

    // The text format requires all lines of one family to be contiguous and typed once, and the same
    // instrument name can come from several meters: streams sharing a family name are written together,
    // and a stream whose type differs from the family's first stream is dropped whole.
    private (List<FamilyGroup> Groups, int LeftOut) GroupByFamily(IReadOnlyList<Metric> metrics)
    {
        var groups = new List<FamilyGroup>();
        var byName = new Dictionary<string, FamilyGroup>(StringComparer.Ordinal);
        var leftOut = 0;

        foreach (var metric in metrics)
        {
            if (KindOf(metric) == PrometheusMetricKind.Unsupported)
            {
                leftOut++;
                continue;
            }

            var family = _families.GetValue(metric, CreateFamily);
            if (byName.TryGetValue(family.Name, out var group))
            {
                if (group.Family.Kind != family.Kind)
                {
                    leftOut++;
                    continue;
                }

                group.Metrics.Add(metric);
            }
            else
            {
                group = new FamilyGroup(family, [metric]);
                byName.Add(family.Name, group);
                groups.Add(group);
            }
        }

        return (groups, leftOut);
    }

    private void WriteFamily(FamilyGroup group, IBufferWriter<byte> output)
    {
        var family = group.Family;
        var help = group.Metrics.Select(m => m.Description).FirstOrDefault(d => !string.IsNullOrEmpty(d));
        if (help is not null)
        {
            WriteBytes(output, "# HELP "u8);
            WriteName(output, family.Name);
            WriteBytes(output, " "u8);
            WriteEscaped(output, help, escapeQuotes: false);
            WriteBytes(output, "\n"u8);
        }

        WriteBytes(output, "# TYPE "u8);
        WriteName(output, family.Name);
        WriteBytes(output, " "u8);
        WriteBytes(output, TypeText(family.Kind));
        WriteBytes(output, "\n"u8);

        foreach (var metric in group.Metrics)
        {
            var stream = _families.GetValue(metric, CreateFamily);
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                _labels.Prepare(stream, point.Tags);
                WritePoint(output, family.Name, metric.MetricType, in point);
            }
        }
    }

    private void WritePoint(IBufferWriter<byte> output, string name, MetricType type, in MetricPoint point)
    {
        switch (type)
        {
            case MetricType.LongSum:
            case MetricType.LongSumNonMonotonic:
                WriteSampleStart(output, name, default);
                WriteInt64(output, point.GetSumLong());
                break;
            case MetricType.DoubleSum:
            case MetricType.DoubleSumNonMonotonic:
                WriteSampleStart(output, name, default);
                WriteDouble(output, point.GetSumDouble());
                break;
            case MetricType.LongGauge:
                WriteSampleStart(output, name, default);
                WriteInt64(output, point.GetGaugeLastValueLong());
                break;
            case MetricType.DoubleGauge:
                WriteSampleStart(output, name, default);
                WriteDouble(output, point.GetGaugeLastValueDouble());
                break;
            case MetricType.Histogram:
                WriteHistogram(output, name, in point);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, $"Metric type {type} of '{name}' has no Prometheus form.");
        }

        WriteBytes(output, "\n"u8);
    }

    private void WriteHistogram(IBufferWriter<byte> output, string name, in MetricPoint point)
    {
        var count = point.GetHistogramCount();
        long cumulative = 0;
        var endedWithInfinity = false;

        foreach (var bucket in point.GetHistogramBuckets())
        {
            cumulative += bucket.BucketCount;
            endedWithInfinity = double.IsPositiveInfinity(bucket.ExplicitBound);
            WriteBucket(output, name, bucket.ExplicitBound, endedWithInfinity ? count : cumulative);
        }

        // A histogram configured without bounds has no buckets at all; Prometheus still requires +Inf.
        if (!endedWithInfinity)
        {
            WriteBucket(output, name, double.PositiveInfinity, count);
        }

        WriteSampleStart(output, name, "_sum"u8);
        WriteDouble(output, point.GetHistogramSum());
        WriteBytes(output, "\n"u8);

        WriteSampleStart(output, name, "_count"u8);
        WriteInt64(output, count);
        WriteBytes(output, "\n"u8);
    }

    private void WriteBucket(IBufferWriter<byte> output, string name, double bound, long cumulativeCount)
    {
        WriteName(output, name);
        WriteBytes(output, "_bucket{"u8);
        if (!_labels.IsEmpty)
        {
            WriteBytes(output, _labels.Text);
            WriteBytes(output, ","u8);
        }

        WriteBytes(output, "le=\""u8);
        WriteDouble(output, bound);
        WriteBytes(output, "\"} "u8);
        WriteInt64(output, cumulativeCount);
        WriteBytes(output, "\n"u8);
    }

    private void WriteSampleStart(IBufferWriter<byte> output, string name, ReadOnlySpan<byte> suffix)
    {
        WriteName(output, name);
        WriteBytes(output, suffix);
        if (!_labels.IsEmpty)
        {
            WriteBytes(output, "{"u8);
            WriteBytes(output, _labels.Text);
            WriteBytes(output, "}"u8);
        }

        WriteBytes(output, " "u8);
    }

    private sealed record FamilyGroup(PrometheusFamily Family, List<Metric> Metrics);
}
