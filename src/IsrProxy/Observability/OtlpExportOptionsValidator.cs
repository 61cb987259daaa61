using Microsoft.Extensions.Options;

namespace IsrProxy.Observability;

internal sealed class OtlpExportOptionsValidator : IValidateOptions<OtlpExportOptions>
{
    public const int MaxExportIntervalSeconds = 3600;

    public ValidateOptionsResult Validate(string? name, OtlpExportOptions options)
    {
        var errors = new List<string>();

        if (options.IsEnabled && !IsHttpUrl(options.Endpoint))
        {
            errors.Add($"{OtlpExportOptions.Section}:Endpoint: '{options.Endpoint}' is not an absolute http or https URL.");
        }

        if (!string.IsNullOrEmpty(options.Protocol)
            && !string.Equals(options.Protocol, OtlpExportOptions.GrpcProtocol, StringComparison.OrdinalIgnoreCase)
            && !options.UsesHttpProtobuf)
        {
            errors.Add($"{OtlpExportOptions.Section}:Protocol: '{options.Protocol}' is not '{OtlpExportOptions.GrpcProtocol}' or '{OtlpExportOptions.HttpProtobufProtocol}'.");
        }

        if (options.ExportIntervalSeconds is < 1 or > MaxExportIntervalSeconds)
        {
            errors.Add($"{OtlpExportOptions.Section}:ExportIntervalSeconds: '{options.ExportIntervalSeconds}' is not between 1 and {MaxExportIntervalSeconds}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
