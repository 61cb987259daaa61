using System.Net;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>HIT, MISS and BYPASS with their X-Isr-Cache, Age and RFC 9211 Cache-Status members (SPEC §1).</summary>
public sealed class CacheClassTests
{
    [Fact]
    public async Task Get_Twice_MissThenHitFromStore()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var first = await proxy.SendAsync(HttpMethod.Get, "/page");
        using var second = await proxy.SendAsync(HttpMethod.Get, "/page");

        Assert.Equal("MISS", ProxyHost.CacheClassOf(first));
        Assert.Equal("IsrProxy; fwd=uri-miss; stored", ProxyHost.Header(first, "Cache-Status"));
        Assert.Null(ProxyHost.Header(first, "Age"));
        Assert.Matches(@"^origin;dur=\d+(\.\d)?$", ProxyHost.Header(first, "Server-Timing"));
        Assert.Null(ProxyHost.Header(second, "Server-Timing"));
        Assert.Equal("HIT", ProxyHost.CacheClassOf(second));
        Assert.Equal("IsrProxy; hit", ProxyHost.Header(second, "Cache-Status"));
        Assert.Equal("0", ProxyHost.Header(second, "Age"));
        Assert.Equal("/page v1", await second.Content.ReadAsStringAsync());
        Assert.Equal(1, origin.Count("/page"));
    }

    [Fact]
    public async Task Hit_WithRevalidate_ReportsTtlAndAge()
    {
        var time = new ManualTimeProvider();
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/blog/{slug}", "Revalidate": 60 }]""", time);

        await proxy.FetchAsync("/blog/a");
        time.Advance(TimeSpan.FromSeconds(18));
        using var hit = await proxy.SendAsync(HttpMethod.Get, "/blog/a");

        Assert.Equal("IsrProxy; hit; ttl=42", ProxyHost.Header(hit, "Cache-Status"));
        Assert.Equal("18", ProxyHost.Header(hit, "Age"));
    }

    [Fact]
    public async Task Stale_ReportsNegativeTtlAndRewritesCacheControl()
    {
        var time = new ManualTimeProvider();
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/blog/a", ("Cache-Control", "public, s-maxage=60, stale-while-revalidate=600")));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/blog/{slug}", "Revalidate": 60 }]""", time);

        await proxy.FetchAsync("/blog/a");
        time.Advance(TimeSpan.FromSeconds(72));
        using var stale = await proxy.SendAsync(HttpMethod.Get, "/blog/a");

        Assert.Equal("STALE", ProxyHost.CacheClassOf(stale));
        Assert.Equal("IsrProxy; hit; ttl=-12", ProxyHost.Header(stale, "Cache-Status"));
        var directives = ProxyHost.Header(stale, "Cache-Control")!.Split(", ").Order().ToArray();
        Assert.Equal(["max-age=0", "public", "stale-while-revalidate=600"], directives);
        Assert.Equal("72", ProxyHost.Header(stale, "Age"));
    }

    [Fact]
    public async Task CacheStatus_IsAppendedToTheOrigins()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/cs", ("Cache-Status", "OriginCache; hit")));
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var miss = await proxy.SendAsync(HttpMethod.Get, "/cs");
        using var hit = await proxy.SendAsync(HttpMethod.Get, "/cs");
        using var bypass = await proxy.SendAsync(HttpMethod.Get, "/cs", ("Authorization", "Bearer x"));

        Assert.Equal("OriginCache; hit, IsrProxy; fwd=uri-miss; stored", ProxyHost.Header(miss, "Cache-Status"));
        Assert.Equal("OriginCache; hit, IsrProxy; hit", ProxyHost.Header(hit, "Cache-Status"));
        Assert.Equal("OriginCache; hit, IsrProxy; fwd=bypass; detail=authorization", ProxyHost.Header(bypass, "Cache-Status"));
    }

    [Theory]
    [InlineData("Authorization", "Bearer abc", "authorization")]
    [InlineData("Cookie", "session=1", "cookie")]
    [InlineData("Cookie", "_ga=1; __prerender_bypass=x", "draft-mode")]
    [InlineData("Cookie", "__next_preview_data=x", "draft-mode")]
    [InlineData("x-prerender-revalidate", "token", "draft-mode")]
    public async Task Get_WithCredentialsOrDraftMode_Bypasses(string header, string value, string detail)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "IgnoreCookies": ["_ga*"] }]""");

        using var first = await proxy.SendAsync(HttpMethod.Get, "/p", (header, value));
        using var second = await proxy.SendAsync(HttpMethod.Get, "/p", (header, value));

        Assert.Equal("BYPASS", ProxyHost.CacheClassOf(second));
        Assert.Equal($"IsrProxy; fwd=bypass; detail={detail}", ProxyHost.Header(second, "Cache-Status"));
        Assert.Equal(2, origin.Count("/p"));
        var (cache, _) = await proxy.FetchAsync("/p");
        Assert.Equal("MISS", cache);                                       // nothing a bypass got was stored
    }

    [Fact]
    public async Task Get_WithOnlyIgnoredCookies_IsCached()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "IgnoreCookies": ["_ga*", "theme"] }]""");

        var (first, _) = await proxy.FetchAsync("/p", ("Cookie", "_ga=GA1.2; _gid=3; theme=dark"));
        var (firstWithOther, _) = await proxy.FetchAsync("/p", ("Cookie", "_gid=3"));
        var (second, _) = await proxy.FetchAsync("/p", ("Cookie", "_ga_XYZ=1; theme=light"));

        Assert.Equal("BYPASS", first);                                     // _gid is not ignored
        Assert.Equal("BYPASS", firstWithOther);
        Assert.Equal("MISS", second);
        Assert.Equal("HIT", (await proxy.FetchAsync("/p", ("Cookie", "theme=dark"))).Cache);
        var fills = origin.Requests.Where(r => r.Headers.TryGetValue("User-Agent", out var ua) && ua == "IsrProxy").ToList();
        Assert.Single(fills);
        Assert.DoesNotContain("Cookie", fills[0].Headers.Keys);                // a shared render never sees a cookie
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    [InlineData("OPTIONS")]
    public async Task UnsafeMethods_BypassWithFwdMethod(string method)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var response = await proxy.SendAsync(new HttpMethod(method), "/form");

        Assert.Equal("BYPASS", ProxyHost.CacheClassOf(response));
        Assert.Equal("IsrProxy; fwd=method", ProxyHost.Header(response, "Cache-Status"));
        Assert.Equal(method, origin.Requests.Single().Method);
    }

    [Fact]
    public async Task SuccessfulPost_MarksThatUrlStale()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/todo");
        Assert.Equal("HIT", (await proxy.FetchAsync("/todo")).Cache);
        using (var post = await proxy.SendAsync(HttpMethod.Post, "/todo"))
        {
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        }

        var (cache, body) = await proxy.FetchAsync("/todo");
        Assert.Equal("STALE", cache);
        Assert.Equal("/todo v1", body);
        await Eventually.TrueAsync(async () => (await proxy.FetchAsync("/todo")).Body == "/todo v3", "the page was regenerated after the POST");
    }

    [Fact]
    public async Task FailedPost_LeavesTheEntryFresh()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/todo", (ctx, n) =>
        {
            ctx.Response.StatusCode = HttpMethods.IsPost(ctx.Request.Method) ? 422 : 200;
            return ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/todo");
        using (await proxy.SendAsync(HttpMethod.Post, "/todo"))
        {
        }

        Assert.Equal("HIT", (await proxy.FetchAsync("/todo")).Cache);
    }

    [Fact]
    public async Task DevelopmentMode_SendsEveryRequestToTheOrigin()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: new Dictionary<string, string?> { ["Isr:Development"] = "true" });

        var first = await proxy.FetchAsync("/p");
        var second = await proxy.FetchAsync("/p");

        Assert.Equal(("BYPASS", "/p v1"), first);
        Assert.Equal(("BYPASS", "/p v2"), second);
    }

    [Theory]
    [InlineData("""{ "Match": "/**", "Dynamic": "force-dynamic" }""", "force-dynamic")]
    [InlineData("""{ "Match": "/**", "Revalidate": 0 }""", "revalidate-zero")]
    public async Task NeverCachedRules_Bypass(string rule, string detail)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, $"[{rule}]");

        await proxy.FetchAsync("/p");
        using var second = await proxy.SendAsync(HttpMethod.Get, "/p");

        Assert.Equal($"IsrProxy; fwd=bypass; detail={detail}", ProxyHost.Header(second, "Cache-Status"));
        Assert.Equal(2, origin.Count("/p"));
    }
}
