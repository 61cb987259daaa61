using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace IsrProxy.Observability;

/// <summary>
/// Maps OpenTelemetry instrument names, units and attributes to Prometheus names and label values,
/// following the OpenTelemetry "Prometheus and OpenMetrics compatibility" specification:
/// invalid characters become <c>_</c> (runs collapsed), the unit is spelled out and appended unless the
/// name already carries it, and monotonic sums end in <c>_total</c>.
/// </summary>
internal static class PrometheusNaming
{
    private const string TotalSuffix = "_total";

    /// <summary>A metric family name matching <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static string MetricName(string name) => Sanitize(name, allowColon: true);

    /// <summary>A label name matching <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>The full family name: sanitised name, unit suffix (once), then <c>_total</c> for counters.</summary>
    public static string FamilyName(string instrumentName, string? unit, PrometheusMetricKind kind)
    {
        var name = MetricName(instrumentName);
        var isCounter = kind == PrometheusMetricKind.Counter;

        // The unit goes before the type suffix, so a counter already named "..._total" is re-suffixed after it.
        if (isCounter && name.Length > TotalSuffix.Length && name.EndsWith(TotalSuffix, StringComparison.Ordinal))
        {
            name = name[..^TotalSuffix.Length];
        }

        var unitSuffix = UnitSuffix(unit, kind);
        if (unitSuffix.Length > 0 && !ContainsToken(name, unitSuffix))
        {
            name = name + "_" + unitSuffix;
        }

        return isCounter ? name + TotalSuffix : name;
    }

    /// <summary>
    /// The Prometheus spelling of a UCUM unit: <c>s</c> → <c>seconds</c>, <c>By</c> → <c>bytes</c>,
    /// <c>{request}</c> → nothing, <c>By/s</c> → <c>bytes_per_second</c>, <c>1</c> → <c>ratio</c> (gauges only).
    /// </summary>
    public static string UnitSuffix(string? unit, PrometheusMetricKind kind)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return "";
        }

        var plain = RemoveAnnotations(unit).Trim();
        if (plain.Length == 0)
        {
            return "";
        }

        if (plain == "1")
        {
            return kind == PrometheusMetricKind.Gauge ? "ratio" : "";
        }

        var slash = plain.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return SpellUnit(plain, plural: true);
        }

        var numerator = plain[..slash] == "1" ? "" : SpellUnit(plain[..slash], plural: true);
        var denominator = SpellUnit(plain[(slash + 1)..], plural: false);
        if (denominator.Length == 0)
        {
            return numerator;
        }

        return numerator.Length == 0 ? "per_" + denominator : numerator + "_per_" + denominator;
    }

    /// <summary>An attribute value as label text; non-string values follow the OpenTelemetry attribute rules.</summary>
    public static string LabelValue(object? value) => value switch
    {
        null => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => FormatDouble(number),
        float number => FormatSingle(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable sequence => JsonSerializer.Serialize(sequence, sequence.GetType()),
        _ => value.ToString() ?? "",
    };

    /// <summary>A sample value or bucket bound: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, otherwise round-trippable invariant text.</summary>
    public static string FormatDouble(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private static string FormatSingle(float value) =>
        float.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : FormatDouble(value);

    private static string Sanitize(string value, bool allowColon)
    {
        if (IsValid(value, allowColon))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 1);
        var lastWasUnderscore = false;
        foreach (var c in value)
        {
            var mapped = IsNameChar(c, allowColon) ? c : '_';
            if (mapped == '_')
            {
                if (lastWasUnderscore)
                {
                    continue;
                }

                lastWasUnderscore = true;
            }
            else
            {
                lastWasUnderscore = false;
            }

            builder.Append(mapped);
        }

        if (builder.Length == 0)
        {
            return "_";
        }

        if (char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    private static bool IsValid(string value, bool allowColon)
    {
        if (value.Length == 0 || char.IsAsciiDigit(value[0]))
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (!IsNameChar(c, allowColon) || (c == '_' && i > 0 && value[i - 1] == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsNameChar(char c, bool allowColon) =>
        char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');

    private static string RemoveAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
        {
            return unit;
        }

        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static string SpellUnit(string unit, bool plural)
    {
        var word = unit.Trim() switch
        {
            "d" => "day",
            "h" => "hour",
            "min" => "minute",
            "s" => "second",
            "ms" => "millisecond",
            "us" => "microsecond",
            "ns" => "nanosecond",
            "By" => "byte",
            "KiBy" => "kibibyte",
            "MiBy" => "mebibyte",
            "GiBy" => "gibibyte",
            "TiBy" => "tebibyte",
            "KBy" => "kilobyte",
            "MBy" => "megabyte",
            "GBy" => "gigabyte",
            "TBy" => "terabyte",
            "m" => "meter",
            "V" => "volt",
            "A" => "ampere",
            "J" => "joule",
            "W" => "watt",
            "g" => "gram",
            "Hz" => "hertz",
            "Cel" => "celsius",
            "%" => "percent",
            _ => null,
        };

        if (word is null)
        {
            // An unknown unit is kept as written, reduced to label characters.
            return LabelName(unit.Trim()).Trim('_');
        }

        return plural && word is not ("celsius" or "hertz" or "percent") ? word + "s" : word;
    }

    private static bool ContainsToken(string name, string token)
    {
        // Token-wise, so "latency_seconds" carries "seconds" but "milliseconds_x" does not carry "seconds".
        var padded = "_" + name + "_";
        return padded.Contains("_" + token + "_", StringComparison.Ordinal);
    }
}
