namespace IsrProxy.Observability;

/// <summary>A metrics scrape could not produce a complete exposition.</summary>
internal sealed class MetricsCollectionException : Exception
{
    public MetricsCollectionException(string message)
        : base(message)
    {
    }

    public MetricsCollectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
