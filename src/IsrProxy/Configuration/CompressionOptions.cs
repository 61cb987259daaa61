namespace IsrProxy.Configuration;

/// <summary>
/// <c>Isr:Compression</c>: uncompressed answers of a compressible type are stored with brotli and gzip variants, made
/// once when the entry is stored, never per request.
/// </summary>
internal sealed class CompressionOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Bodies smaller than this are stored as they are.</summary>
    public int MinBytes { get; set; } = 1024;

    /// <summary>Brotli quality, 0 to 11 (5 compresses well at a small fraction of 11's cost).</summary>
    public int BrotliQuality { get; set; } = 5;
}
