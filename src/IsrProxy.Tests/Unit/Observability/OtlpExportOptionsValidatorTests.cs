using IsrProxy.Observability;

namespace IsrProxy.Tests.Unit.Observability;

public sealed class OtlpExportOptionsValidatorTests
{
    [Theory]
    [InlineData(null, null, 60)]
    [InlineData("", null, 60)]
    [InlineData("http://collector:4317", null, 60)]
    [InlineData("https://collector:4318/v1/metrics", "http/protobuf", 1)]
    [InlineData("http://collector:4317", "grpc", 3600)]
    public void Validate_GoodOptions_Succeeds(string? endpoint, string? protocol, int intervalSeconds)
    {
        var result = new OtlpExportOptionsValidator().Validate(null, new OtlpExportOptions { Endpoint = endpoint, Protocol = protocol, ExportIntervalSeconds = intervalSeconds });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("localhost:4317", null, 60, "Isr:Otlp:Endpoint: 'localhost:4317' is not an absolute http or https URL.")]
    [InlineData("/v1/metrics", null, 60, "Isr:Otlp:Endpoint: '/v1/metrics' is not an absolute http or https URL.")]
    [InlineData("ftp://collector", null, 60, "Isr:Otlp:Endpoint: 'ftp://collector' is not an absolute http or https URL.")]
    [InlineData("http://collector:4317", "udp", 60, "Isr:Otlp:Protocol: 'udp' is not 'grpc' or 'http/protobuf'.")]
    [InlineData("http://collector:4317", null, 0, "Isr:Otlp:ExportIntervalSeconds: '0' is not between 1 and 3600.")]
    public void Validate_BadOption_FailsNamingKeyAndValue(string? endpoint, string? protocol, int intervalSeconds, string expected)
    {
        var result = new OtlpExportOptionsValidator().Validate(null, new OtlpExportOptions { Endpoint = endpoint, Protocol = protocol, ExportIntervalSeconds = intervalSeconds });

        Assert.True(result.Failed);
        Assert.Equal([expected], result.Failures);
    }

    [Fact]
    public void Validate_SeveralBadOptions_ReportsEach()
    {
        var result = new OtlpExportOptionsValidator().Validate(null, new OtlpExportOptions { Endpoint = "nope", Protocol = "udp", ExportIntervalSeconds = -1 });

        Assert.Equal(3, result.Failures?.Count());
    }
}
