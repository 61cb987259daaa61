using System.Buffers;
using System.IO.Compression;
using IsrProxy.Configuration;

namespace IsrProxy.Caching.Compression;

/// <summary>A body as stored in one content coding, with the ETag that names this variant.</summary>
internal sealed record EncodedBody(string Coding, ReadOnlyMemory<byte> Body, string? ETag);

/// <summary>
/// Makes the brotli and gzip variants of a body when it is stored. Only for bodies the origin sent uncompressed, of a
/// compressible media type, at least <see cref="CompressionOptions.MinBytes"/> long; a variant is kept only when it is
/// smaller than the original by a useful margin.
/// </summary>
internal static class StoredEncodings
{
    private static readonly string[] CompressibleTypes =
    [
        "application/json", "application/javascript", "application/ecmascript", "application/xml", "application/xhtml+xml",
        "application/rss+xml", "application/atom+xml", "application/manifest+json", "application/ld+json", "application/wasm",
        "application/x-javascript", "application/graphql-response+json", "image/svg+xml", "font/ttf", "font/otf",
    ];

    public static bool IsCompressible(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        var semicolon = mediaType.IndexOf(';');
        mediaType = (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
        if (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        foreach (var type in CompressibleTypes)
        {
            if (mediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The variants worth keeping, best first (brotli, then gzip); empty when none is.</summary>
    public static EncodedBody[] Create(ReadOnlySpan<byte> body, string? contentType, string? contentEncoding, string? etag, CompressionOptions options)
    {
        if (!options.Enabled || body.Length < options.MinBytes || !IsCompressible(contentType)
            || !(string.IsNullOrWhiteSpace(contentEncoding) || contentEncoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase)))
        {
            return [];
        }

        var variants = new List<EncodedBody>(2);
        var limit = body.Length - Math.Max(64, body.Length / 20);         // at least 5% (and 64 bytes) smaller
        if (Brotli(body, options.BrotliQuality) is { } br && br.Length < limit)
        {
            variants.Add(new EncodedBody("br", br, VariantETag(etag, "br")));
        }

        if (Gzip(body) is { } gzip && gzip.Length < limit)
        {
            variants.Add(new EncodedBody("gzip", gzip, VariantETag(etag, "gzip")));
        }

        return [.. variants];
    }

    /// <summary>A distinct validator per coding (RFC 9110 §8.8.3): <c>"abc"</c> becomes <c>"abc-br"</c>.</summary>
    public static string? VariantETag(string? etag, string coding)
    {
        if (string.IsNullOrEmpty(etag) || etag.Length < 2 || etag[^1] != '"')
        {
            return null;
        }

        return string.Concat(etag.AsSpan(0, etag.Length - 1), "-", coding, "\"");
    }

    private static byte[]? Brotli(ReadOnlySpan<byte> body, int quality)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BrotliEncoder.GetMaxCompressedLength(body.Length));
        try
        {
            return BrotliEncoder.TryCompress(body, buffer, out var written, Math.Clamp(quality, 0, 11), 22)
                ? buffer.AsSpan(0, written).ToArray()
                : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Gzip(ReadOnlySpan<byte> body)
    {
        using var output = new MemoryStream(body.Length / 3);
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(body);
        }

        return output.ToArray();
    }
}
