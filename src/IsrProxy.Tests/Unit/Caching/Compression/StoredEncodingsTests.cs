using System.IO.Compression;
using System.Text;
using IsrProxy.Caching.Compression;
using IsrProxy.Configuration;

namespace IsrProxy.Tests.Unit.Caching.Compression;

public sealed class StoredEncodingsTests
{
    private static readonly byte[] Html = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<p>The quick brown fox jumps over the lazy dog.</p>\n", 200)));
    private static readonly CompressionOptions Defaults = new();

    [Theory]
    [InlineData("text/html; charset=utf-8", true)]
    [InlineData("TEXT/CSS", true)]
    [InlineData("application/json", true)]
    [InlineData("application/problem+json", true)]
    [InlineData("image/svg+xml", true)]
    [InlineData("application/javascript; charset=utf-8", true)]
    [InlineData("image/png", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsCompressible(string? contentType, bool expected) => Assert.Equal(expected, StoredEncodings.IsCompressible(contentType));

    [Fact]
    public void Create_MakesBrotliAndGzip_ThatDecodeToTheOriginal()
    {
        var variants = StoredEncodings.Create(Html, "text/html", null, "\"v1\"", Defaults);

        Assert.Equal(["br", "gzip"], variants.Select(v => v.Coding));
        Assert.Equal(Html, Decode(variants[0].Body.ToArray(), s => new BrotliStream(s, CompressionMode.Decompress)));
        Assert.Equal(Html, Decode(variants[1].Body.ToArray(), s => new GZipStream(s, CompressionMode.Decompress)));
        Assert.Equal("\"v1-br\"", variants[0].ETag);
        Assert.Equal("\"v1-gzip\"", variants[1].ETag);
        Assert.All(variants, v => Assert.True(v.Body.Length < Html.Length / 4));
    }

    [Theory]
    [InlineData("image/png", null, 4096)]          // not compressible
    [InlineData("text/html", "gzip", 4096)]        // already encoded by the origin
    [InlineData("text/html", null, 100)]           // below MinBytes
    public void Create_LeavesSomeBodiesAsTheyAre(string contentType, string? contentEncoding, int size)
    {
        Assert.Empty(StoredEncodings.Create(Html.AsSpan(0, Math.Min(size, Html.Length)), contentType, contentEncoding, null, Defaults));
    }

    [Fact]
    public void Create_Disabled_MakesNothing()
        => Assert.Empty(StoredEncodings.Create(Html, "text/html", null, null, new CompressionOptions { Enabled = false }));

    [Fact]
    public void Create_IncompressibleData_KeepsNoVariant()
    {
        var random = new byte[8192];
        new Random(7).NextBytes(random);

        Assert.Empty(StoredEncodings.Create(random, "text/plain", null, null, Defaults));
    }

    [Theory]
    [InlineData("\"abc\"", "br", "\"abc-br\"")]
    [InlineData("W/\"abc\"", "gzip", "W/\"abc-gzip\"")]
    [InlineData(null, "br", null)]
    [InlineData("abc", "br", null)]
    public void VariantETag_NamesEachCoding(string? etag, string coding, string? expected)
        => Assert.Equal(expected, StoredEncodings.VariantETag(etag, coding));

    private static byte[] Decode(byte[] data, Func<Stream, Stream> decoder)
    {
        using var input = decoder(new MemoryStream(data));
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
