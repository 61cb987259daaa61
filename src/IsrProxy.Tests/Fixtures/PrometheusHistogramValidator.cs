namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// Per label set of a histogram family: buckets with strictly increasing <c>le</c>, non-decreasing counts,
/// a last bucket of <c>le="+Inf"</c>, and exactly one <c>_count</c> equal to it.
/// </summary>
internal static class PrometheusHistogramValidator
{
    public static void Validate(PrometheusMetricFamily family)
    {
        var bucketName = family.Name + "_bucket";
        var countName = family.Name + "_count";

        foreach (var group in family.Samples.GroupBy(s => PrometheusTextParser.SeriesKey(family.Name, s.Labels, except: "le")))
        {
            var buckets = group.Where(s => s.Name == bucketName).ToList();
            var counts = group.Where(s => s.Name == countName).ToList();
            var first = group.First().LineNumber;
            if (buckets.Count == 0)
            {
                throw new PrometheusFormatException($"Histogram series {group.Key} (line {first}) has no buckets.");
            }

            for (var i = 1; i < buckets.Count; i++)
            {
                var previous = buckets[i - 1];
                var bucket = buckets[i];
                if (!(Le(bucket) > Le(previous)))
                {
                    throw new PrometheusFormatException(
                        $"Histogram series {group.Key}: le=\"{bucket.Labels["le"]}\" on line {bucket.LineNumber} does not exceed le=\"{previous.Labels["le"]}\" on line {previous.LineNumber}.");
                }

                if (bucket.Value < previous.Value)
                {
                    throw new PrometheusFormatException(
                        $"Histogram series {group.Key}: bucket le=\"{bucket.Labels["le"]}\" = {bucket.Value} on line {bucket.LineNumber} is less than the previous bucket's {previous.Value}; buckets must be cumulative.");
                }
            }

            var last = buckets[^1];
            if (!double.IsPositiveInfinity(Le(last)))
            {
                throw new PrometheusFormatException($"Histogram series {group.Key}: the last bucket (line {last.LineNumber}) is le=\"{last.Labels["le"]}\", not le=\"+Inf\".");
            }

            if (counts.Count != 1)
            {
                throw new PrometheusFormatException($"Histogram series {group.Key} (line {first}) has {counts.Count} {countName} samples, not 1.");
            }

            if (counts[0].Value != last.Value)
            {
                throw new PrometheusFormatException(
                    $"Histogram series {group.Key}: the +Inf bucket is {last.Value} (line {last.LineNumber}) but {countName} is {counts[0].Value} (line {counts[0].LineNumber}).");
            }
        }
    }

    private static double Le(PrometheusSample bucket) => PrometheusLineScanner.ParseValue(bucket.Labels["le"]) ?? double.NaN;
}
