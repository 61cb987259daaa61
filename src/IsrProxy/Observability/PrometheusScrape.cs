namespace IsrProxy.Observability;

/// <summary>
/// One complete exposition in the text format (version 0.0.4), held in pooled memory until disposed.
/// </summary>
internal sealed class PrometheusScrape : IDisposable
{
    private readonly BoundedBufferWriter _buffer;

    public PrometheusScrape(BoundedBufferWriter buffer, int leftOutMetrics)
    {
        _buffer = buffer;
        LeftOutMetrics = leftOutMetrics;
    }

    /// <summary>The UTF-8 exposition text.</summary>
    public ReadOnlyMemory<byte> Content => _buffer.WrittenMemory;

    /// <summary>
    /// Metric streams not exposed: a type with no Prometheus form (exponential histogram, delta temporality),
    /// or a family name already taken by a stream of another type.
    /// </summary>
    public int LeftOutMetrics { get; }

    public void Dispose() => _buffer.Dispose();
}
