namespace IsrProxy.Observability;

/// <summary>
/// Optional push of metrics over OTLP, bound from <c>Isr:Otlp</c>. Export is enabled only when
/// <see cref="Endpoint"/> is set.
/// </summary>
internal sealed class OtlpExportOptions
{
    public const string Section = "Isr:Otlp";
    public const string GrpcProtocol = "grpc";
    public const string HttpProtobufProtocol = "http/protobuf";

    /// <summary>
    /// Absolute http(s) URL of the collector, e.g. <c>http://collector:4317</c> (gRPC) or
    /// <c>http://collector:4318</c> (HTTP; <c>/v1/metrics</c> is added when the URL has no path).
    /// </summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string? Protocol { get; set; }

    public int ExportIntervalSeconds { get; set; } = 60;

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Endpoint);

    public bool UsesHttpProtobuf => string.Equals(Protocol, HttpProtobufProtocol, StringComparison.OrdinalIgnoreCase);
}
