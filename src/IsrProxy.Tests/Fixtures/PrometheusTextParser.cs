using System.Globalization;
using static IsrProxy.Tests.Fixtures.PrometheusLineScanner;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// Parses and validates the Prometheus text exposition format (version 0.0.4), strictly enough to catch what
/// would make a Prometheus server reject or misread a scrape: every sample belongs to a family declared by
/// <c># TYPE</c> before it, TYPE and HELP appear at most once per family, a family's samples are contiguous,
/// no series repeats, and histogram buckets are cumulative, end with <c>le="+Inf"</c> and match <c>_count</c>.
/// </summary>
internal static class PrometheusTextParser
{
    private static readonly HashSet<string> KnownTypes = new(StringComparer.Ordinal) { "counter", "gauge", "histogram", "summary", "untyped" };

    public static PrometheusExposition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        var families = new Dictionary<string, PrometheusMetricFamily>(StringComparer.Ordinal);
        var helps = new Dictionary<string, (string Text, int Line)>(StringComparer.Ordinal);
        var samples = new List<PrometheusSample>();
        var series = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        PrometheusMetricFamily? current = null;

        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var number = i + 1;
            if (line.Trim(' ', '\t').Length == 0)
            {
                continue;
            }

            if (line[0] == '#')
            {
                ParseComment(line, number, families, helps, finished, current);
                continue;
            }

            var sample = ParseSample(line, number);
            var family = FamilyOf(sample.Name, families)
                ?? throw Error(number, line, $"sample '{sample.Name}' belongs to no family declared by an earlier # TYPE line");

            if (family != current)
            {
                if (finished.Contains(family.Name))
                {
                    throw Error(number, line, $"samples of family '{family.Name}' are not contiguous (another family's samples came between)");
                }

                if (current is not null)
                {
                    finished.Add(current.Name);
                }

                current = family;
            }

            CheckSampleFitsFamily(sample, family, line);
            if (!series.Add(SeriesKey(sample.Name, sample.Labels, except: null)))
            {
                throw Error(number, line, $"series {SeriesKey(sample.Name, sample.Labels, except: null)} appears twice");
            }

            family.Samples.Add(sample);
            samples.Add(sample);
        }

        foreach (var (name, help) in helps)
        {
            if (!families.TryGetValue(name, out var family))
            {
                throw Error(help.Line, lines[help.Line - 1], $"# HELP for '{name}' has no # TYPE");
            }

            family.Help = help.Text;
        }

        foreach (var family in families.Values.Where(f => f.Type == "histogram"))
        {
            PrometheusHistogramValidator.Validate(family);
        }

        return new PrometheusExposition(families, samples);
    }

    private static void ParseComment(
        string line,
        int number,
        Dictionary<string, PrometheusMetricFamily> families,
        Dictionary<string, (string Text, int Line)> helps,
        HashSet<string> finished,
        PrometheusMetricFamily? current)
    {
        var pos = 1;
        SkipBlanks(line, ref pos);
        var keyword = ReadToken(line, ref pos);
        if (keyword is not ("HELP" or "TYPE"))
        {
            return; // an ordinary comment
        }

        if (!SkipBlanks(line, ref pos))
        {
            throw Error(number, line, $"# {keyword} needs a metric name");
        }

        var name = ReadName(line, ref pos, allowColon: true)
            ?? throw Error(number, line, $"# {keyword} names no valid metric name");

        if (finished.Contains(name) || current?.Name == name)
        {
            throw Error(number, line, $"# {keyword} for '{name}' comes after its samples");
        }

        if (keyword == "HELP")
        {
            var docstring = pos < line.Length ? line[(pos + 1)..] : "";
            if (pos < line.Length && line[pos] is not (' ' or '\t'))
            {
                throw Error(number, line, $"# HELP name '{name}' is followed by '{line[pos]}', not a blank");
            }

            if (!helps.TryAdd(name, (Unescape(docstring, number, line, allowQuote: false), number)))
            {
                throw Error(number, line, $"second # HELP for '{name}' (first on line {helps[name].Line})");
            }

            return;
        }

        if (!SkipBlanks(line, ref pos))
        {
            throw Error(number, line, $"# TYPE for '{name}' names no type");
        }

        var type = ReadToken(line, ref pos);
        SkipBlanks(line, ref pos);
        if (pos != line.Length)
        {
            throw Error(number, line, $"unexpected text after the type of '{name}'");
        }

        if (!KnownTypes.Contains(type))
        {
            throw Error(number, line, $"unknown type '{type}' for '{name}'");
        }

        if (families.TryGetValue(name, out var existing))
        {
            throw Error(number, line, $"second # TYPE for '{name}' (first on line {existing.TypeLine})");
        }

        families.Add(name, new PrometheusMetricFamily(name, type, number));
    }

    private static PrometheusSample ParseSample(string line, int number)
    {
        var pos = 0;
        var name = ReadName(line, ref pos, allowColon: true)
            ?? throw Error(number, line, "expected a metric name at the start of the line");

        var blank = SkipBlanks(line, ref pos);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (pos < line.Length && line[pos] == '{')
        {
            pos++;
            ParseLabels(line, number, ref pos, labels);
            blank = SkipBlanks(line, ref pos);
        }

        if (!blank || pos >= line.Length)
        {
            throw Error(number, line, $"expected a blank then a value after '{name}'");
        }

        var valueText = ReadToken(line, ref pos);
        var value = ParseValue(valueText)
            ?? throw Error(number, line, $"'{valueText}' is not a sample value");

        long? timestamp = null;
        if (SkipBlanks(line, ref pos) && pos < line.Length)
        {
            var timestampText = ReadToken(line, ref pos);
            timestamp = long.TryParse(timestampText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
                ? ms
                : throw Error(number, line, $"'{timestampText}' is not a timestamp in milliseconds");
            SkipBlanks(line, ref pos);
        }

        if (pos != line.Length)
        {
            throw Error(number, line, $"unexpected text '{line[pos..]}' after the sample");
        }

        return new PrometheusSample(name, labels, value, timestamp, number);
    }

    private static void ParseLabels(string line, int number, ref int pos, Dictionary<string, string> labels)
    {
        while (true)
        {
            SkipBlanks(line, ref pos);
            if (pos >= line.Length)
            {
                throw Error(number, line, "unterminated label set");
            }

            if (line[pos] == '}')
            {
                pos++;
                return;
            }

            var name = ReadName(line, ref pos, allowColon: false)
                ?? throw Error(number, line, $"expected a label name at column {pos + 1}");
            SkipBlanks(line, ref pos);
            Expect(line, number, ref pos, '=', $"after label '{name}'");
            SkipBlanks(line, ref pos);
            Expect(line, number, ref pos, '"', $"to open the value of label '{name}'");

            var start = pos;
            while (pos < line.Length && line[pos] != '"')
            {
                pos += line[pos] == '\\' ? 2 : 1;
            }

            if (pos >= line.Length)
            {
                throw Error(number, line, $"unterminated value of label '{name}'");
            }

            var value = Unescape(line[start..pos], number, line, allowQuote: true);
            pos++;
            if (!labels.TryAdd(name, value))
            {
                throw Error(number, line, $"label '{name}' appears twice");
            }

            SkipBlanks(line, ref pos);
            if (pos < line.Length && line[pos] == ',')
            {
                pos++;
                continue;
            }

            if (pos < line.Length && line[pos] == '}')
            {
                pos++;
                return;
            }

            throw Error(number, line, $"expected ',' or '}}' after the value of label '{name}'");
        }
    }

    private static void CheckSampleFitsFamily(PrometheusSample sample, PrometheusMetricFamily family, string line)
    {
        if (family.Type == "histogram")
        {
            if (sample.Name == family.Name)
            {
                throw Error(sample.LineNumber, line, $"histogram '{family.Name}' sample lacks a _bucket, _sum or _count suffix");
            }

            var isBucket = sample.Name == family.Name + "_bucket";
            if (isBucket != sample.Labels.ContainsKey("le"))
            {
                throw Error(sample.LineNumber, line, isBucket
                    ? $"bucket of histogram '{family.Name}' has no 'le' label"
                    : $"'{sample.Name}' of histogram '{family.Name}' carries an 'le' label");
            }

            if (isBucket && ParseValue(sample.Labels["le"]) is null)
            {
                throw Error(sample.LineNumber, line, $"le=\"{sample.Labels["le"]}\" is not a number");
            }
        }

        if (family.Type == "summary" && sample.Name == family.Name && !sample.Labels.ContainsKey("quantile"))
        {
            throw Error(sample.LineNumber, line, $"summary '{family.Name}' sample has no 'quantile' label");
        }
    }

    private static PrometheusMetricFamily? FamilyOf(string name, Dictionary<string, PrometheusMetricFamily> families)
    {
        if (families.TryGetValue(name, out var exact))
        {
            return exact;
        }

        foreach (var suffix in (ReadOnlySpan<string>)["_bucket", "_sum", "_count"])
        {
            if (name.Length > suffix.Length
                && name.EndsWith(suffix, StringComparison.Ordinal)
                && families.TryGetValue(name[..^suffix.Length], out var family)
                && (family.Type == "histogram" || (family.Type == "summary" && suffix != "_bucket")))
            {
                return family;
            }
        }

        return null;
    }

    internal static string SeriesKey(string name, IReadOnlyDictionary<string, string> labels, string? except) =>
        name + "{" + string.Join(",", labels.Where(l => l.Key != except).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}";

    private static PrometheusFormatException Error(int number, string line, string problem) =>
        PrometheusFormatException.AtLine(number, line, problem);
}
