using IsrProxy.Caching.Http;

namespace IsrProxy.Tests.Unit.Caching.Http;

public sealed class AcceptEncodingTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("identity", "")]
    [InlineData("deflate", "")]
    [InlineData("gzip", "gzip")]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip, deflate, br, zstd", "br")]
    [InlineData("GZIP", "gzip")]
    [InlineData("Br", "br")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("*", "br")]
    [InlineData(" gzip ;  q=0.5 ,  br ; q=0.1 ", "br")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("br;q=0.000, gzip;q=1.000", "gzip")]
    [InlineData("br;q=0, gzip;q=0", "")]
    [InlineData("gzip;q=0", "")]
    [InlineData("gzip;Q=0", "")]
    [InlineData("gzip;q=0.001", "gzip")]
    [InlineData("*;q=0", "")]
    [InlineData("gzip, *;q=0", "gzip")]
    [InlineData("br;q=0, *", "gzip")]
    [InlineData("gzip;q=0, *", "br")]
    [InlineData("br;q=0, gzip;q=0, *", "")]
    [InlineData("gzip;q=0, x-gzip", "")]
    [InlineData("x-gzip;q=0, *", "br")]
    [InlineData("x-gzip, br;q=0", "gzip")]
    [InlineData("br, br;q=0, gzip", "gzip")]
    [InlineData("br;q=0, br", "")]
    [InlineData("br;q=2, gzip", "gzip")]
    [InlineData("br;q=1.5, gzip", "gzip")]
    [InlineData("br;q=0.5000, gzip", "gzip")]
    [InlineData("br;q=abc", "")]
    [InlineData("br;q=, gzip", "gzip")]
    [InlineData("br;level=5", "br")]
    [InlineData("brotli, gzipped", "")]
    [InlineData(",,gzip,,", "gzip")]
    public void Normalize_AcceptEncoding_PicksBrThenGzipThenIdentity(string? acceptEncoding, string expected)
    {
        Assert.Equal(expected, AcceptEncoding.Normalize(acceptEncoding));
    }
}
