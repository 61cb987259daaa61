namespace IsrProxy.Observability;

/// <summary>
/// What the exposition needs to know about one OpenTelemetry metric stream, computed once per stream:
/// its Prometheus family name, type and instrumentation scope.
/// </summary>
internal sealed record PrometheusFamily(
    string Name,
    PrometheusMetricKind Kind,
    string ScopeName,
    string? ScopeVersion);
