using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Unit.Observability;

public sealed class PrometheusTextParserTests
{
    private const string Valid = """
        # A free comment is ignored.
        # HELP isr_requests_total Requests by cache class.\nSecond line with a \\ backslash.
        # TYPE isr_requests_total counter
        isr_requests_total{cache_class="HIT",path="/a\"b\\c\nd",} 4 1700000000000
        isr_requests_total{cache_class="MISS"} 2

        # TYPE isr_ratio gauge
        isr_ratio +Inf
        isr_ratio{k="neg"} -Inf
        isr_ratio{k="nan"} NaN
        isr_ratio{k="small"}	1.5e-07
        # TYPE isr_duration_seconds histogram
        isr_duration_seconds_bucket{route="/",le="0.1"} 1
        isr_duration_seconds_bucket{route="/",le="1"} 3
        isr_duration_seconds_bucket{route="/",le="+Inf"} 3
        isr_duration_seconds_sum{route="/"} 1.25
        isr_duration_seconds_count{route="/"} 3
        # TYPE isr_latency summary
        isr_latency{quantile="0.5"} 0.2
        isr_latency_sum 4
        isr_latency_count 20

        """;

    [Fact]
    public void Parse_ValidExposition_ReadsFamiliesHelpAndTypes()
    {
        var parsed = PrometheusTextParser.Parse(Valid);

        Assert.Equal(["isr_duration_seconds", "isr_latency", "isr_ratio", "isr_requests_total"], parsed.Families.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("counter", parsed.Family("isr_requests_total").Type);
        Assert.Equal("histogram", parsed.Family("isr_duration_seconds").Type);
        Assert.Equal("Requests by cache class.\nSecond line with a \\ backslash.", parsed.Family("isr_requests_total").Help);
        Assert.Null(parsed.Family("isr_ratio").Help);
        Assert.Equal(5, parsed.Family("isr_duration_seconds").Samples.Count);
    }

    [Fact]
    public void Parse_LabelEscapesAndTimestamp_AreDecoded()
    {
        var parsed = PrometheusTextParser.Parse(Valid);

        var hit = Assert.Single(parsed.Find("isr_requests_total", ("cache_class", "HIT")));
        Assert.Equal("/a\"b\\c\nd", hit.Labels["path"]);
        Assert.Equal(4, hit.Value);
        Assert.Equal(1700000000000, hit.Timestamp);
        Assert.Null(Assert.Single(parsed.Find("isr_requests_total", ("cache_class", "MISS"))).Timestamp);
    }

    [Fact]
    public void Parse_SpecialValues_AreDecoded()
    {
        var parsed = PrometheusTextParser.Parse(Valid);

        Assert.Equal(double.PositiveInfinity, Assert.Single(parsed.Find("isr_ratio"), s => s.Labels.Count == 0).Value);
        Assert.Equal(double.NegativeInfinity, parsed.Value("isr_ratio", ("k", "neg")));
        Assert.True(double.IsNaN(parsed.Value("isr_ratio", ("k", "nan"))));
        Assert.Equal(1.5e-07, parsed.Value("isr_ratio", ("k", "small")));
        Assert.Equal(3, parsed.Value("isr_duration_seconds_bucket", ("le", "+Inf")));
    }

    [Fact]
    public void Value_AmbiguousLabels_ThrowsListingCandidates()
    {
        var parsed = PrometheusTextParser.Parse(Valid);

        var error = Assert.Throws<InvalidOperationException>(() => parsed.Value("isr_requests_total"));

        Assert.Contains("found 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("cache_class=\"MISS\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyText_HasNoFamilies()
    {
        Assert.Empty(PrometheusTextParser.Parse("").Families);
    }

    [Theory]
    [InlineData("x_total 1\n", "belongs to no family")]
    [InlineData("x_total 1\n# TYPE x_total counter\n", "belongs to no family")]
    [InlineData("# TYPE x counter\n# TYPE x counter\nx 1\n", "second # TYPE for 'x'")]
    [InlineData("# TYPE x gauge\nx 1\n# TYPE x gauge\n", "comes after its samples")]
    [InlineData("# HELP x a\n# HELP x b\n# TYPE x gauge\n", "second # HELP for 'x'")]
    [InlineData("# HELP x a\n", "# HELP for 'x' has no # TYPE")]
    [InlineData("# TYPE x widget\n", "unknown type 'widget'")]
    [InlineData("# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 2\n", "not contiguous")]
    [InlineData("# TYPE x gauge\nx{a=\"b\"} 1\nx{a=\"b\"} 2\n", "appears twice")]
    [InlineData("# TYPE x gauge\nx{a=\"b\",a=\"c\"} 1\n", "label 'a' appears twice")]
    [InlineData("# TYPE x gauge\nx{a=\"b} 1\n", "unterminated value of label 'a'")]
    [InlineData("# TYPE x gauge\nx{a=\"b\" 1\n", "expected ',' or '}'")]
    [InlineData("# TYPE x gauge\nx{a=b} 1\n", "expected '\"'")]
    [InlineData("# TYPE x gauge\nx{1a=\"b\"} 1\n", "expected a label name")]
    [InlineData("# TYPE x gauge\nx{a=\"\\t\"} 1\n", "invalid escape sequence")]
    [InlineData("# TYPE x gauge\nx one\n", "'one' is not a sample value")]
    [InlineData("# TYPE x gauge\nx 1,5\n", "'1,5' is not a sample value")]
    [InlineData("# TYPE x gauge\nx\n", "expected a blank then a value")]
    [InlineData("# TYPE x gauge\nx 1 soon\n", "'soon' is not a timestamp")]
    [InlineData("# TYPE x gauge\nx 1 2 3\n", "unexpected text '3'")]
    [InlineData("# TYPE x gauge\n{a=\"b\"} 1\n", "expected a metric name")]
    [InlineData("# HELP x bad \\q escape\n# TYPE x gauge\n", "invalid escape sequence")]
    public void Parse_Malformed_IsRejectedWithReason(string text, string reason)
    {
        var error = Assert.Throws<PrometheusFormatException>(() => PrometheusTextParser.Parse(text));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Line ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h_bucket{le=\"1\"} 3\nh_bucket{le=\"2\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_count 3\n", "must be cumulative")]
    [InlineData("h_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_count 3\n", "does not exceed")]
    [InlineData("h_bucket{le=\"1\"} 1\nh_bucket{le=\"2\"} 2\nh_count 2\n", "not le=\"+Inf\"")]
    [InlineData("h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n", "the +Inf bucket is 2")]
    [InlineData("h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n", "has 0 h_count samples")]
    [InlineData("h_sum 1\nh_count 0\n", "has no buckets")]
    [InlineData("h_bucket 1\n", "has no 'le' label")]
    [InlineData("h_bucket{le=\"one\"} 1\n", "is not a number")]
    [InlineData("h 1\n", "lacks a _bucket, _sum or _count suffix")]
    [InlineData("h_count{le=\"1\"} 1\n", "carries an 'le' label")]
    public void Parse_InvalidHistogram_IsRejectedWithReason(string samples, string reason)
    {
        var error = Assert.Throws<PrometheusFormatException>(() => PrometheusTextParser.Parse("# TYPE h histogram\n" + samples));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HistogramSeriesPerLabelSet_AreCheckedSeparately()
    {
        const string text = """
            # TYPE h histogram
            h_bucket{r="a",le="1"} 1
            h_bucket{r="a",le="+Inf"} 1
            h_count{r="a"} 1
            h_bucket{r="b",le="1"} 5
            h_bucket{r="b",le="+Inf"} 4
            h_count{r="b"} 4
            """;

        var error = Assert.Throws<PrometheusFormatException>(() => PrometheusTextParser.Parse(text));

        Assert.Contains("h{r=\"b\"}", error.Message, StringComparison.Ordinal);
    }
}
