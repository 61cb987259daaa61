using System.Buffers;
using OpenTelemetry;
using static IsrProxy.Observability.PrometheusTextEncoder;

namespace IsrProxy.Observability;

/// <summary>
/// The label set of one metric point, serialised once (sorted by name, values escaped) so that every line
/// of the point, such as each histogram bucket, copies the same bytes. Reused from point to point; not thread-safe.
/// </summary>
internal sealed class PrometheusLabelSet
{
    public const string ScopeNameLabel = "otel_scope_name";
    public const string ScopeVersionLabel = "otel_scope_version";

    // A user attribute named "le" would clash with the bucket bound on histogram series.
    public const string RenamedLeLabel = "tag_le";

    private const int MaxCachedLabelNames = 4096;

    private readonly bool _includeScopeLabels;
    private readonly Dictionary<string, string> _labelNames = new(StringComparer.Ordinal);
    private readonly List<Label> _labels = [];
    private readonly ArrayBufferWriter<byte> _text = new(256);

    public PrometheusLabelSet(bool includeScopeLabels)
    {
        _includeScopeLabels = includeScopeLabels;
    }

    public bool IsEmpty => _text.WrittenCount == 0;

    /// <summary>The serialised pairs, <c>a="x",b="y"</c>, without braces.</summary>
    public ReadOnlySpan<byte> Text => _text.WrittenSpan;

    public void Prepare(PrometheusFamily stream, ReadOnlyTagCollection tags)
    {
        _labels.Clear();
        if (_includeScopeLabels)
        {
            _labels.Add(new Label(ScopeNameLabel, ScopeNameLabel, stream.ScopeName));
            if (stream.ScopeVersion is not null)
            {
                _labels.Add(new Label(ScopeVersionLabel, ScopeVersionLabel, stream.ScopeVersion));
            }
        }

        foreach (var tag in tags)
        {
            var name = LabelName(tag.Key);
            if (stream.Kind == PrometheusMetricKind.Histogram && name == "le")
            {
                name = RenamedLeLabel;
            }

            _labels.Add(new Label(name, tag.Key, PrometheusNaming.LabelValue(tag.Value)));
        }

        _labels.Sort(Compare);

        // Attributes that sanitise to the same label name are joined with ';' in the order of their original keys.
        _text.ResetWrittenCount();
        for (var i = 0; i < _labels.Count; i++)
        {
            var label = _labels[i];
            if (i > 0 && string.Equals(label.Name, _labels[i - 1].Name, StringComparison.Ordinal))
            {
                WriteBytes(_text, ";"u8);
            }
            else
            {
                if (i > 0)
                {
                    WriteBytes(_text, "\","u8);
                }

                WriteName(_text, label.Name);
                WriteBytes(_text, "=\""u8);
            }

            WriteEscaped(_text, label.Value, escapeQuotes: true);
        }

        if (_labels.Count > 0)
        {
            WriteBytes(_text, "\""u8);
        }
    }

    private static int Compare(Label x, Label y)
    {
        var byName = string.CompareOrdinal(x.Name, y.Name);
        return byName != 0 ? byName : string.CompareOrdinal(x.Key, y.Key);
    }

    private string LabelName(string key)
    {
        if (_labelNames.TryGetValue(key, out var name))
        {
            return name;
        }

        name = PrometheusNaming.LabelName(key);
        if (_labelNames.Count < MaxCachedLabelNames)
        {
            _labelNames.Add(key, name);
        }

        return name;
    }

    private readonly record struct Label(string Name, string Key, string Value);
}
