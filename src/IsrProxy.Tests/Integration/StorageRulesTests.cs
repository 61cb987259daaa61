using System.Net;
using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>What is stored and how it is replayed: refusals, variants, HEAD, validators, oversized bodies, query keys.</summary>
public sealed class StorageRulesTests
{
    [Theory]
    [InlineData("Set-Cookie", "session=abc; Path=/", "set-cookie")]
    [InlineData("Cache-Control", "private, max-age=60", "private")]
    [InlineData("Cache-Control", "no-store", "no-store")]
    [InlineData("Cache-Control", "private, no-cache, no-store, max-age=0, must-revalidate", "no-store")]
    [InlineData("Vary", "*", "vary-star")]
    public async Task UncacheableAnswers_AreNeverStored(string header, string value, string detail)
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", (header, value)));
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var first = await proxy.SendAsync(HttpMethod.Get, "/p");
        using var second = await proxy.SendAsync(HttpMethod.Get, "/p");

        // The fill's answer (v1) is handed to nobody: the first client gets a render of its own, the second passes.
        Assert.Equal("MISS", ProxyHost.CacheClassOf(first));
        Assert.Equal($"IsrProxy; fwd=uri-miss; detail={detail}", ProxyHost.Header(first, "Cache-Status"));
        Assert.Equal("/p v2", await first.Content.ReadAsStringAsync());
        Assert.Equal("BYPASS", ProxyHost.CacheClassOf(second));
        Assert.Equal("IsrProxy; fwd=bypass; detail=hit-for-pass", ProxyHost.Header(second, "Cache-Status"));
        Assert.Equal("/p v3", await second.Content.ReadAsStringAsync());
        Assert.Empty(await proxy.Get<ICacheStore>().ListAsync("/", 10, default));
    }

    [Fact]
    public async Task SetCookie_ReachesOnlyTheClientWhoseRequestProducedIt()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Set-Cookie", "session=abc")));
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var response = await proxy.SendAsync(HttpMethod.Get, "/p");

        Assert.Equal("session=abc", ProxyHost.Header(response, "Set-Cookie"));
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(203, true)]
    [InlineData(301, true)]
    [InlineData(308, true)]
    [InlineData(410, true)]
    [InlineData(302, false)]
    [InlineData(307, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public async Task StatusCodes_AreStoredOnlyWhenCacheable(int status, bool stored)
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.StatusCode = status;
            if (status is >= 300 and < 400)
            {
                ctx.Response.Headers.Location = "/elsewhere";
            }

            return ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/p");
        using var second = await proxy.SendAsync(HttpMethod.Get, "/p");

        // A server error is shared and tried again; any other uncacheable status turns the URL hit-for-pass.
        Assert.Equal(status, (int)second.StatusCode);
        Assert.Equal(stored ? "HIT" : status >= 500 ? "MISS" : "BYPASS", ProxyHost.CacheClassOf(second));
    }

    [Fact]
    public async Task HopByHopAndTagHeaders_AreNotReplayed()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned(
            "/p", ("Keep-Alive", "timeout=5"), ("X-Custom", "kept"), ("Cache-Tag", "a,b"), ("Connection", "X-Private-Hop"), ("X-Private-Hop", "1")));
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/p");
        using var hit = await proxy.SendAsync(HttpMethod.Get, "/p");

        Assert.Equal("kept", ProxyHost.Header(hit, "X-Custom"));
        Assert.Null(ProxyHost.Header(hit, "Keep-Alive"));
        Assert.Null(ProxyHost.Header(hit, "Cache-Tag"));
        Assert.Null(ProxyHost.Header(hit, "X-Private-Hop"));
        Assert.Equal(["a", "b"], proxy.Get<Storage.Memory.MemoryCacheStore>().Snapshot().Single().Tags);
    }

    [Fact]
    public async Task Vary_SplitsAPathIntoVariants()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.Headers.Vary = "Accept-Language";
            return ctx.Response.WriteAsync($"{ctx.Request.Headers.AcceptLanguage} v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        // The first fill learns the Vary and asks again with the header, so the stored variant is the one its key names.
        Assert.Equal(("MISS", "fr v2"), await proxy.FetchAsync("/p", ("Accept-Language", "fr")));
        Assert.Equal(("MISS", "de v3"), await proxy.FetchAsync("/p", ("Accept-Language", "de")));
        Assert.Equal(("HIT", "fr v2"), await proxy.FetchAsync("/p", ("Accept-Language", "fr")));
        Assert.Equal(("HIT", "de v3"), await proxy.FetchAsync("/p", ("Accept-Language", "de")));
        Assert.Equal(("MISS", " v4"), await proxy.FetchAsync("/p"));
        Assert.Equal(("HIT", " v4"), await proxy.FetchAsync("/p"));
        Assert.Equal(4, origin.Count("/p"));
    }

    [Fact]
    public async Task HeadersOutsideTheKey_NeverReachASharedRender()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
            ctx.Response.WriteAsync($"{ctx.Request.Headers["X-Evil"]}|{ctx.Request.Headers.UserAgent}|{ctx.Request.Headers["X-Forwarded-Host"]}")));
        await using var proxy = await ProxyHost.StartAsync(origin);

        var (_, poisoned) = await proxy.FetchAsync("/p", ("X-Evil", "injected"), ("User-Agent", "bot"), ("X-Forwarded-Host", "evil.example"));
        var (cache, served) = await proxy.FetchAsync("/p");

        Assert.Equal("|IsrProxy|", poisoned);
        Assert.Equal(("HIT", "|IsrProxy|"), (cache, served));
    }

    [Fact]
    public async Task CompressedAnswerWithoutVary_IsServedOnlyToClientsThatAcceptIt()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            var gzip = ctx.Request.Headers.AcceptEncoding.ToString() == "gzip";
            if (gzip)
            {
                ctx.Response.Headers.ContentEncoding = "gzip";                  // and no Vary, as some origins do
            }

            return ctx.Response.WriteAsync(gzip ? $"gzipped v{n}" : $"plain v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        Assert.Equal(("MISS", "gzipped v1"), await proxy.FetchAsync("/p", ("Accept-Encoding", "gzip, deflate")));
        Assert.Equal(("MISS", "plain v2"), await proxy.FetchAsync("/p"));
        Assert.Equal(("HIT", "gzipped v1"), await proxy.FetchAsync("/p", ("Accept-Encoding", "gzip")));
        Assert.Equal(("HIT", "plain v2"), await proxy.FetchAsync("/p", ("Accept-Encoding", "identity")));
    }

    [Fact]
    public async Task RuleVary_SplitsTheCacheByRequestHeader()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) => ctx.Response.WriteAsync($"{ctx.Request.Headers["X-Device"]} v{n}")));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Vary": ["X-Device"] }]""");

        Assert.Equal(("MISS", "mobile v1"), await proxy.FetchAsync("/p", ("X-Device", "mobile")));
        Assert.Equal(("MISS", "desktop v2"), await proxy.FetchAsync("/p", ("X-Device", "desktop")));
        Assert.Equal(("HIT", "mobile v1"), await proxy.FetchAsync("/p", ("X-Device", "mobile")));
    }

    [Fact]
    public async Task Head_IsAnsweredFromTheCachedGet()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/p");
        using var head = await proxy.SendAsync(HttpMethod.Head, "/p");

        Assert.Equal("HIT", ProxyHost.CacheClassOf(head));
        Assert.Equal("/p v1".Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, origin.Count("/p"));
        Assert.All(origin.Requests, r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task Head_OnAMiss_FillsWithGet()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var head = await proxy.SendAsync(HttpMethod.Head, "/p");

        Assert.Equal("MISS", ProxyHost.CacheClassOf(head));
        Assert.Equal("GET", origin.Requests.Single().Method);
        Assert.Equal(("HIT", "/p v1"), await proxy.FetchAsync("/p"));
    }

    [Fact]
    public async Task ConditionalRequests_Get304FromTheCache()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned(
            "/p", ("ETag", "\"abc\""), ("Last-Modified", "Tue, 01 Sep 2026 10:00:00 GMT"), ("Cache-Control", "public, max-age=3600")));
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/p");
        using var byEtag = await proxy.SendAsync(HttpMethod.Get, "/p", ("If-None-Match", "W/\"abc\""));
        using var byDate = await proxy.SendAsync(HttpMethod.Get, "/p", ("If-Modified-Since", "Tue, 01 Sep 2026 10:00:00 GMT"));
        using var changed = await proxy.SendAsync(HttpMethod.Get, "/p", ("If-None-Match", "\"other\""));

        Assert.Equal(HttpStatusCode.NotModified, byEtag.StatusCode);
        Assert.Equal("\"abc\"", ProxyHost.Header(byEtag, "ETag"));
        Assert.Equal("public, max-age=3600", ProxyHost.Header(byEtag, "Cache-Control"));
        Assert.Equal("HIT", ProxyHost.CacheClassOf(byEtag));
        Assert.Empty(await byEtag.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, byDate.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(1, origin.Count("/p"));
        Assert.DoesNotContain(origin.Requests, r => r.Headers.ContainsKey("If-None-Match"));
    }

    [Fact]
    public async Task BodiesAboveTheMaximum_StreamThroughUncached()
    {
        var body = new string('x', 50_000);
        await using var origin = await OriginServer.StartAsync(o => o
            .Route("/big", (ctx, n) => ctx.Response.WriteAsync(body))
            .Route("/declared", (ctx, n) =>
            {
                ctx.Response.ContentLength = body.Length;
                return ctx.Response.WriteAsync(body);
            }));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: new Dictionary<string, string?> { ["Isr:Store:MaxEntryBytes"] = "10000" });

        foreach (var path in new[] { "/big", "/declared" })
        {
            using var first = await proxy.SendAsync(HttpMethod.Get, path);
            Assert.Equal(body, await first.Content.ReadAsStringAsync());
            Assert.Equal("IsrProxy; fwd=uri-miss; detail=too-large", ProxyHost.Header(first, "Cache-Status"));
            Assert.Equal(("BYPASS", body), await proxy.FetchAsync(path));              // streamed by the forwarder from now on
            Assert.Equal(2, origin.Count(path));
        }

        Assert.Empty(await proxy.Get<ICacheStore>().ListAsync("/", 10, default));
    }

    [Fact]
    public async Task QueryModes_ShapeTheKeyAndTheFill()
    {
        await using var origin = await OriginServer.StartAsync(o =>
        {
            foreach (var p in new[] { "/inc", "/ign", "/allow" })
            {
                o.Route(p, (ctx, n) => ctx.Response.WriteAsync($"{ctx.Request.QueryString} v{n}"));
            }
        });
        await using var proxy = await ProxyHost.StartAsync(origin, """
            [{ "Match": "/ign", "Query": "ignore" }, { "Match": "/allow", "Query": ["page"] }, { "Match": "/**" }]
            """);

        Assert.Equal(("MISS", "?a=1 v1"), await proxy.FetchAsync("/inc?a=1"));
        Assert.Equal(("MISS", "?a=2 v2"), await proxy.FetchAsync("/inc?a=2"));
        Assert.Equal(("MISS", " v1"), await proxy.FetchAsync("/ign?utm=1"));
        Assert.Equal(("HIT", " v1"), await proxy.FetchAsync("/ign?utm=2"));
        Assert.Equal(("MISS", "?_rsc=x1 v2"), await proxy.FetchAsync("/ign?utm=3&_rsc=x1"));   // _rsc always stays in the key
        Assert.Equal(("MISS", "?page=2 v1"), await proxy.FetchAsync("/allow?utm=1&page=2"));
        Assert.Equal(("HIT", "?page=2 v1"), await proxy.FetchAsync("/allow?page=2&utm=9"));
    }

    [Fact]
    public async Task ForceStatic_DropsCookiesCredentialsAndQuery_AndCaches()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/s", (ctx, n) =>
            ctx.Response.WriteAsync($"{ctx.Request.Headers.Cookie}|{ctx.Request.Headers.Authorization}|{ctx.Request.QueryString} v{n}")));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/s", "Dynamic": "force-static" }]""");

        Assert.Equal(("MISS", "|| v1"), await proxy.FetchAsync("/s?x=1", ("Cookie", "a=1"), ("Authorization", "Bearer t")));
        Assert.Equal(("HIT", "|| v1"), await proxy.FetchAsync("/s?y=2", ("Cookie", "b=2")));
    }
}
