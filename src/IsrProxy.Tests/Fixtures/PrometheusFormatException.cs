namespace IsrProxy.Tests.Fixtures;

/// <summary>Text that is not a valid Prometheus exposition (format 0.0.4).</summary>
internal sealed class PrometheusFormatException : Exception
{
    public PrometheusFormatException(string message)
        : base(message)
    {
    }

    public static PrometheusFormatException AtLine(int number, string line, string problem) =>
        new($"Line {number}: {problem}: {line}");
}
