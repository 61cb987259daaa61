using IsrProxy.Observability;

namespace IsrProxy.Tests.Unit.Observability;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("http.server.request.duration", "s", "Histogram", "http_server_request_duration_seconds")]
    [InlineData("isr.requests", "{request}", "Counter", "isr_requests_total")]
    [InlineData("isr.requests.total", "{request}", "Counter", "isr_requests_total")]
    [InlineData("isr.requests", null, "Counter", "isr_requests_total")]
    [InlineData("isr.store.size", "By", "Gauge", "isr_store_size_bytes")]
    [InlineData("isr.store.bytes", "By", "Gauge", "isr_store_bytes")]
    [InlineData("isr.latency_seconds", "s", "Histogram", "isr_latency_seconds")]
    [InlineData("isr.origin.time", "ms", "Histogram", "isr_origin_time_milliseconds")]
    [InlineData("isr.milliseconds_spent", "s", "Histogram", "isr_milliseconds_spent_seconds")]
    [InlineData("isr.sent", "By", "Counter", "isr_sent_bytes_total")]
    [InlineData("isr.sent_total", "By", "Counter", "isr_sent_bytes_total")]
    [InlineData("isr.sent.bytes", "By", "Counter", "isr_sent_bytes_total")]
    [InlineData("isr.throughput", "By/s", "Gauge", "isr_throughput_bytes_per_second")]
    [InlineData("isr.rate", "{request}/s", "Gauge", "isr_rate_per_second")]
    [InlineData("isr.hits", "1", "Gauge", "isr_hits_ratio")]
    [InlineData("isr.hit_ratio", "1", "Gauge", "isr_hit_ratio")]
    [InlineData("isr.hits", "1", "Counter", "isr_hits_total")]
    [InlineData("isr.memory", "MiBy", "Gauge", "isr_memory_mebibytes")]
    [InlineData("isr.uptime", "min", "Gauge", "isr_uptime_minutes")]
    [InlineData("isr.temperature", "Cel", "Gauge", "isr_temperature_celsius")]
    [InlineData("isr.distance", "furlong", "Gauge", "isr_distance_furlong")]
    [InlineData("kestrel.active-connections", "{connection}", "Gauge", "kestrel_active_connections")]
    [InlineData("isr..odd__name-", "", "Gauge", "isr_odd_name_")]
    [InlineData("9lives", "", "Gauge", "_9lives")]
    [InlineData("ns:metric", "", "Gauge", "ns:metric")]
    [InlineData("total", "", "Counter", "total_total")]
    public void FamilyName_OpenTelemetryNameAndUnit_FollowsCompatibilityRules(string name, string? unit, string kind, string expected)
    {
        Assert.Equal(expected, PrometheusNaming.FamilyName(name, unit, Enum.Parse<PrometheusMetricKind>(kind)));
    }

    [Theory]
    [InlineData("cache_class", "cache_class")]
    [InlineData("cache.class", "cache_class")]
    [InlineData("http-method", "http_method")]
    [InlineData("a__b", "a_b")]
    [InlineData("__reserved", "_reserved")]
    [InlineData("1st", "_1st")]
    [InlineData("ns:key", "ns_key")]
    [InlineData("clé", "cl_")]
    [InlineData("", "_")]
    public void LabelName_AttributeKey_IsSanitised(string key, string expected)
    {
        Assert.Equal(expected, PrometheusNaming.LabelName(key));
    }

    public static TheoryData<object?, string> LabelValues => new()
    {
        { null, "" },
        { "as is", "as is" },
        { true, "true" },
        { false, "false" },
        { 42, "42" },
        { -7L, "-7" },
        { 1.5, "1.5" },
        { 0.1f, "0.1" },
        { double.PositiveInfinity, "+Inf" },
        { new[] { "a", "b" }, "[\"a\",\"b\"]" },
        { new long[] { 1, 2 }, "[1,2]" },
    };

    [Theory]
    [MemberData(nameof(LabelValues))]
    public void LabelValue_AttributeValue_UsesInvariantText(object? value, string expected)
    {
        Assert.Equal(expected, PrometheusNaming.LabelValue(value));
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-7, "1E-07")]
    [InlineData(123456789.125, "123456789.125")]
    [InlineData(-2.0, "-2")]
    public void FormatDouble_Value_IsPrometheusText(double value, string expected)
    {
        Assert.Equal(expected, PrometheusNaming.FormatDouble(value));
    }
}
