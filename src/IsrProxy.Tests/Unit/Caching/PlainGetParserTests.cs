using System.Buffers;
using System.Text;
using IsrProxy.Caching.Connections;
using IsrProxy.Tests.Fixtures;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Tests.Unit.Caching;

/// <summary>The connection hit path recognises plain GETs only; every other shape is left, unread, to Kestrel.</summary>
public sealed class PlainGetParserTests
{
    private static readonly PlainGetParser Parser = new(8192, 100, ["x-prerender-revalidate"]);

    private static (PlainGetParse Result, string Path, string? AcceptEncoding, int Length) Parse(string text, PlainGetParser? parser = null)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        var scratch = new byte[8192];
        var result = (parser ?? Parser).Parse(new ReadOnlySequence<byte>(bytes), scratch, out var get);
        return (result, Encoding.ASCII.GetString(get.Path), get.HasAcceptEncoding ? Encoding.ASCII.GetString(get.AcceptEncoding) : null, get.Length);
    }

    [Fact]
    public void PlainGet_IsParsed_WithItsPathAcceptEncodingAndLength()
    {
        const string head = "GET /blog/post-1 HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: wrk\r\nAccept-Encoding:  gzip, br \r\nConnection: Keep-Alive\r\n\r\n";

        var (result, path, acceptEncoding, length) = Parse(head + "GET /next");

        Assert.Equal(PlainGetParse.Parsed, result);
        Assert.Equal("/blog/post-1", path);
        Assert.Equal("gzip, br", acceptEncoding);
        Assert.Equal(head.Length, length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("GE")]
    [InlineData("GET /a HTTP/1.1\r\nHost: a\r\n")]
    [InlineData("GET /a HTTP/1.1\r\nHost: a\r\n\r")]
    public void UnfinishedHead_IsIncomplete(string text) => Assert.Equal(PlainGetParse.Incomplete, Parse(text).Result);

    [Theory]
    [InlineData("POST /a HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("POST")]
    [InlineData("HEAD /a HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("get /a HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")]
    [InlineData("\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a HTTP/1.0\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a HTTP/1.1 \r\nHost: a\r\n\r\n")]
    [InlineData("GET  /a HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET http://a/a HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a?x=1 HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a%2Fb HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/../b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a/./b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /.env HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a#f HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /a b HTTP/1.1\r\nHost: a\r\n\r\n")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n")]
    public void AnythingButAPlainGetRequestLine_IsOther(string text) => Assert.Equal(PlainGetParse.Other, Parse(text).Result);

    [Theory]
    [InlineData("")]                                                      // no Host
    [InlineData("Host: a\r\nHost: b\r\n")]
    [InlineData("Host: \r\n")]
    [InlineData("Host: a b\r\n")]
    [InlineData("Host: a@b\r\n")]
    [InlineData("Host: a\r\nContent-Length: 5\r\n")]
    [InlineData("Host: a\r\nTransfer-Encoding: chunked\r\n")]
    [InlineData("Host: a\r\nExpect: 100-continue\r\n")]
    [InlineData("Host: a\r\nCookie: session=1\r\n")]
    [InlineData("Host: a\r\nAuthorization: Bearer x\r\n")]
    [InlineData("Host: a\r\nIf-None-Match: \"x\"\r\n")]
    [InlineData("Host: a\r\nIf-Modified-Since: Sat, 21 Nov 2026 10:00:00 GMT\r\n")]
    [InlineData("Host: a\r\nRange: bytes=0-1\r\n")]
    [InlineData("Host: a\r\nUpgrade: websocket\r\n")]
    [InlineData("Host: a\r\nConnection: close\r\n")]
    [InlineData("Host: a\r\nConnection: Upgrade\r\n")]
    [InlineData("Host: a\r\nx-prerender-revalidate: 1\r\n")]              // a bypass header
    [InlineData("Host: a\r\nrsc: 1\r\n")]                                 // a Next.js router header
    [InlineData("Host: a\r\nAccept-Encoding: gzip\r\nAccept-Encoding: br\r\n")]
    [InlineData("Host: a\r\nX-Unknown: 1\r\n")]
    [InlineData("Host : a\r\n")]                                          // space before the colon
    [InlineData(": a\r\nHost: a\r\n")]
    [InlineData("Host: a\r\nAccept: text/html\r\n  more\r\n")]           // obs-fold
    [InlineData("Host: a\r\nAccept: text/html\nUser-Agent: x\r\n")]       // bare LF
    [InlineData("Host: a\r\nAccept: text/\rhtml\r\n")]                    // bare CR
    [InlineData("Host: a\r\nUser-Agent: caf\u00e9\r\n")]                  // not ASCII
    [InlineData("Host: a\r\nUser-Agent: a\u0001b\r\n")]                   // control character
    [InlineData("Ho\u00e9st: a\r\n")]
    public void AnyFieldThatMayChangeTheAnswerOrItsFraming_IsOther(string fields)
        => Assert.Equal(PlainGetParse.Other, Parse("GET /a HTTP/1.1\r\n" + fields + "\r\n").Result);

    [Theory]
    [InlineData("Accept: text/html,*/*;q=0.8")]
    [InlineData("accept-language: en")]
    [InlineData("Cache-Control: no-cache")]
    [InlineData("Pragma: no-cache")]
    [InlineData("Referer: https://example.com/")]
    [InlineData("Sec-Fetch-Mode: navigate")]
    [InlineData("X-Forwarded-For: 10.0.0.1")]
    [InlineData("Connection: keep-alive")]
    [InlineData("User-Agent:\tMozilla/5.0 (X11)\t")]
    public void FieldsAHitDoesNotDependOn_AreAccepted(string field)
        => Assert.Equal(PlainGetParse.Parsed, Parse($"GET /a HTTP/1.1\r\nHost: a\r\n{field}\r\n\r\n").Result);

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("Example.COM:8080", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("[::1]", true)]
    [InlineData("[2001:db8::1]:443", true)]
    [InlineData("", false)]
    [InlineData("a:", false)]
    [InlineData("a:b", false)]
    [InlineData("a:1234567", false)]
    [InlineData(":80", false)]
    [InlineData("a_b", false)]
    [InlineData("[::1", false)]
    [InlineData("[]", false)]
    [InlineData("[::1]x", false)]
    [InlineData("[::g]", false)]
    public void Host_IsANameOrBracketedAddressWithAnOptionalPort(string host, bool plain)
        => Assert.Equal(plain, PlainGetParser.IsPlainHost(Encoding.ASCII.GetBytes(host)));

    [Fact]
    public void ConfiguredBypassHeader_IsNeverIgnored()
    {
        var parser = new PlainGetParser(8192, 100, ["Referer"]);

        Assert.Equal(PlainGetParse.Other, Parse("GET /a HTTP/1.1\r\nHost: a\r\nreferer: x\r\n\r\n", parser).Result);
        Assert.Equal(PlainGetParse.Parsed, Parse("GET /a HTTP/1.1\r\nHost: a\r\nAccept: x\r\n\r\n", parser).Result);
    }

    [Fact]
    public void HeadsOverTheLimits_AreOther()
    {
        var parser = new PlainGetParser(64, 2, []);

        Assert.Equal(PlainGetParse.Other, Parse("GET /a HTTP/1.1\r\nHost: a\r\nAccept: x\r\nPragma: y\r\n\r\n", parser).Result);
        Assert.Equal(PlainGetParse.Other, Parse("GET /" + new string('a', 80) + " HTTP/1.1\r\nHost: a\r\n\r\n", parser).Result);
        Assert.Equal(PlainGetParse.Other, Parse("GET /" + new string('a', 80), parser).Result);   // too long to wait for
        Assert.Equal(PlainGetParse.Parsed, Parse("GET /a HTTP/1.1\r\nHost: a\r\nAccept: x\r\n\r\n", parser).Result);
    }

    [Fact]
    public void HeadSplitAcrossSegments_IsParsedFromTheScratchBuffer()
    {
        const string head = "GET /split/page HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\n\r\n";
        var bytes = Encoding.ASCII.GetBytes(head);
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            var sequence = Segments.Split(bytes, cut);
            var scratch = new byte[8192];

            Assert.Equal(PlainGetParse.Parsed, Parser.Parse(sequence, scratch, out var get));
            Assert.Equal("/split/page", Encoding.ASCII.GetString(get.Path));
            Assert.Equal("br", Encoding.ASCII.GetString(get.AcceptEncoding));
            Assert.Equal(bytes.Length, get.Length);
        }
    }

    [Fact]
    public void EveryByteAPlainPathMayHold_IsItsOwnUriComponent()
    {
        // The connection path looks entries up by these bytes; the pipeline by PathString.ToUriComponent: the same key.
        var plain = Enumerable.Range(0x21, 0x7E - 0x20).Select(c => (char)c).Where(c => PlainGetParser.IsPlainPath(Encoding.ASCII.GetBytes("/" + c))).ToArray();
        var path = "/" + new string(plain);

        Assert.Equal(path, new PathString(path).ToUriComponent());
        Assert.DoesNotContain('%', plain);
        Assert.DoesNotContain('?', plain);
        Assert.DoesNotContain('#', plain);
    }
}
