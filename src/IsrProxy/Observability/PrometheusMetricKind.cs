namespace IsrProxy.Observability;

/// <summary>The Prometheus metric type an OpenTelemetry metric is exposed as.</summary>
internal enum PrometheusMetricKind
{
    /// <summary>Not exposed: exponential histograms and delta-temporality streams have no classic Prometheus form.</summary>
    Unsupported,
    Counter,
    Gauge,
    Histogram,
}
