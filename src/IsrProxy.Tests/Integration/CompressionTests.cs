using System.IO.Compression;
using System.Net;
using System.Text;
using IsrProxy.Storage.Memory;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>Compression as the cache stores: variants made once, the best one the client accepts served on every hit.</summary>
public sealed class CompressionTests
{
    private static readonly string Page = string.Concat(Enumerable.Repeat("<p>The quick brown fox jumps over the lazy dog.</p>\n", 400));

    private static Task<OriginServer> HtmlOrigin() => OriginServer.StartAsync(o => o.Route("/page", (ctx, n) =>
    {
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.Headers.ETag = "\"p1\"";
        return ctx.Response.WriteAsync(Page);
    }));

    [Theory]
    [InlineData("gzip, deflate, br", "br")]
    [InlineData("gzip", "gzip")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData(null, null)]
    [InlineData("identity", null)]
    public async Task Hit_ServesTheBestCodingTheClientAccepts(string? acceptEncoding, string? expected)
    {
        await using var origin = await HtmlOrigin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");
        (string, string)[] headers = acceptEncoding is null ? [] : [("Accept-Encoding", acceptEncoding)];

        using var hit = await proxy.SendAsync(HttpMethod.Get, "/page", headers);
        var bytes = await hit.Content.ReadAsByteArrayAsync();

        Assert.Equal("HIT", ProxyHost.CacheClassOf(hit));
        Assert.Equal(expected, ProxyHost.Header(hit, "Content-Encoding"));
        Assert.Equal(bytes.Length, hit.Content.Headers.ContentLength);
        Assert.Contains("Accept-Encoding", ProxyHost.Header(hit, "Vary"), StringComparison.Ordinal);
        Assert.Equal(expected is null ? "\"p1\"" : $"\"p1-{expected}\"", ProxyHost.Header(hit, "ETag"));
        Assert.Equal(Page, Decode(bytes, expected));
        Assert.Equal(1, origin.Count("/page"));
    }

    [Fact]
    public async Task VariantsAreMadeWhenStoring_NotPerRequest()
    {
        await using var origin = await HtmlOrigin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");

        var entry = Assert.Single(proxy.Get<MemoryCacheStore>().Snapshot());
        var stored = entry.Encodings.ToDictionary(e => e.Coding, e => e.Body);
        using var first = await proxy.SendAsync(HttpMethod.Get, "/page", ("Accept-Encoding", "br"));
        using var second = await proxy.SendAsync(HttpMethod.Get, "/page", ("Accept-Encoding", "br"));

        Assert.Equal(stored["br"].ToArray(), await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(stored["br"].ToArray(), await second.Content.ReadAsByteArrayAsync());
        Assert.True(stored.ContainsKey("gzip"));
    }

    [Fact]
    public async Task ConditionalRequests_MatchTheVariantsOwnETag()
    {
        await using var origin = await HtmlOrigin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");

        using var brMatch = await proxy.SendAsync(HttpMethod.Get, "/page", ("Accept-Encoding", "br"), ("If-None-Match", "\"p1-br\""));
        using var identityTagForBr = await proxy.SendAsync(HttpMethod.Get, "/page", ("Accept-Encoding", "br"), ("If-None-Match", "\"p1\""));

        Assert.Equal(HttpStatusCode.NotModified, brMatch.StatusCode);
        Assert.Equal("br", ProxyHost.Header(brMatch, "Content-Encoding"));
        Assert.Equal(HttpStatusCode.OK, identityTagForBr.StatusCode);
    }

    [Fact]
    public async Task Head_ReportsTheVariantsLength()
    {
        await using var origin = await HtmlOrigin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");

        using var get = await proxy.SendAsync(HttpMethod.Get, "/page", ("Accept-Encoding", "gzip"));
        using var head = await proxy.SendAsync(HttpMethod.Head, "/page", ("Accept-Encoding", "gzip"));

        Assert.Equal((await get.Content.ReadAsByteArrayAsync()).Length, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task OriginCompressedOrBinaryAnswers_AreStoredAsTheyAre()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/img", (ctx, n) =>
        {
            ctx.Response.ContentType = "image/png";
            return ctx.Response.Body.WriteAsync(new byte[8192]).AsTask();
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/img");

        using var hit = await proxy.SendAsync(HttpMethod.Get, "/img", ("Accept-Encoding", "br, gzip"));

        Assert.Null(ProxyHost.Header(hit, "Content-Encoding"));
        Assert.Empty(Assert.Single(proxy.Get<MemoryCacheStore>().Snapshot()).Encodings);
    }

    private static string Decode(byte[] bytes, string? coding)
    {
        using Stream input = coding switch
        {
            "br" => new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress),
            "gzip" => new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress),
            _ => new MemoryStream(bytes),
        };
        using var reader = new StreamReader(input, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
