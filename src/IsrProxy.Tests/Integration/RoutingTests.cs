using System.Net;
using IsrProxy.Revalidation;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>Miss coalescing, Fallback: false, Prerender and MaxDuration.</summary>
public sealed class RoutingTests
{
    private static readonly Lock PeakLock = new();

    [Fact]
    public async Task ConcurrentMisses_MakeOneOriginRequest()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/hot", async (ctx, n) =>
        {
            await release.Task;
            await ctx.Response.WriteAsync($"hot v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        var requests = Enumerable.Range(0, 100).Select(_ => proxy.SendAsync(HttpMethod.Get, "/hot")).ToArray();
        await Eventually.TrueAsync(() => origin.Count("/hot") == 1, "the fill reached the origin");
        await Eventually.TrueAsync(() => proxy.Get<MissCoalescer>().InFlight == 1, "the fill is in flight");
        release.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.Equal(1, origin.Count("/hot"));
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("hot v1", await response.Content.ReadAsStringAsync());
            response.Dispose();
        }

        var statuses = responses.Select(r => ProxyHost.Header(r, "Cache-Status")).ToList();
        Assert.Contains("IsrProxy; fwd=uri-miss; stored", statuses);
        Assert.Single(statuses, s => s == "IsrProxy; fwd=uri-miss; stored");
        Assert.All(statuses, s => Assert.True(
            s is "IsrProxy; fwd=uri-miss; stored" or "IsrProxy; fwd=uri-miss; stored; collapsed" or "IsrProxy; hit",
            s));
    }

    [Fact]
    public async Task ConcurrentMisses_ForAPrivateAnswer_AreNotShared()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/me", async (ctx, n) =>
        {
            await release.Task;
            ctx.Response.Headers.SetCookie = $"session={n}";
            await ctx.Response.WriteAsync($"me v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        var requests = Enumerable.Range(0, 5).Select(_ => proxy.SendAsync(HttpMethod.Get, "/me")).ToArray();
        await Eventually.TrueAsync(() => origin.Count("/me") >= 1, "the fill reached the origin");
        release.SetResult();
        var responses = await Task.WhenAll(requests);

        var cookies = responses.Select(r => ProxyHost.Header(r, "Set-Cookie")).ToList();
        Assert.Equal(cookies.Count, cookies.Distinct().Count());                 // nobody got another's cookie
        Assert.Equal(6, origin.Count("/me"));                                   // the fill, then one render per client
    }

    [Fact]
    public async Task PathsWithoutARule_IgnoreTheCookiesIsrProxyIgnoreCookiesNames()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.Headers.CacheControl = "s-maxage=60";
            return ctx.Response.WriteAsync($"v{n} cookie='{ctx.Request.Headers.Cookie}'");
        }));
        await using var proxy = await ProxyHost.StartAsync(
            origin, "[]", settings: new Dictionary<string, string?> { ["Isr:Proxy:IgnoreCookies:0"] = "_ga*", ["Isr:Proxy:IgnoreCookies:1"] = "_gid" });

        Assert.Equal(("MISS", "v1 cookie=''"), await proxy.FetchAsync("/p", ("Cookie", "_ga=GA1.1; _gid=x")));   // never sent on
        Assert.Equal(("HIT", "v1 cookie=''"), await proxy.FetchAsync("/p", ("Cookie", "_ga_XYZ=1")));
        Assert.Equal("BYPASS", (await proxy.FetchAsync("/p", ("Cookie", "_ga=1; session=abc"))).Cache);
    }

    [Fact]
    public async Task PathsWithoutARule_BypassOnAnyCookie_ByDefault()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Control", "s-maxage=60")));
        await using var proxy = await ProxyHost.StartAsync(origin, "[]");

        await proxy.FetchAsync("/p");
        Assert.Equal("BYPASS", (await proxy.FetchAsync("/p", ("Cookie", "_ga=1"))).Cache);
    }

    [Fact]
    public async Task FallbackFalse_UnlistedPath_Answers404WithoutTheOrigin()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, """
            [{ "Match": "/docs/**", "Fallback": false, "Prerender": ["/docs/intro"] }]
            """);
        await proxy.Get<Prerenderer>().Completion;

        using var unlisted = await proxy.SendAsync(HttpMethod.Get, "/docs/unknown");
        var listed = await proxy.FetchAsync("/docs/intro");

        Assert.Equal(HttpStatusCode.NotFound, unlisted.StatusCode);
        Assert.Null(ProxyHost.Header(unlisted, "Cache-Status"));
        Assert.Equal(0, origin.Count("/docs/unknown"));
        Assert.Equal(("HIT", "/docs/intro v1"), listed);
    }

    [Fact]
    public async Task Prerender_WarmsTheListedPathsAtStartup()
    {
        var inFlight = 0;
        var peak = 0;
        await using var origin = await OriginServer.StartAsync(o =>
        {
            foreach (var path in new[] { "/p/a", "/p/b", "/p/c", "/p/d", "/p/e" })
            {
                o.Route(path, async (ctx, n) =>
                {
                    var now = Interlocked.Increment(ref inFlight);
                    lock (PeakLock)
                    {
                        peak = Math.Max(peak, now);
                    }

                    await Task.Yield();
                    await ctx.Response.WriteAsync($"{path} v{n}");
                    Interlocked.Decrement(ref inFlight);
                });
            }
        });
        await using var proxy = await ProxyHost.StartAsync(origin, """
            [{ "Match": "/p/**", "Prerender": ["/p/a", "/p/b", "/p/c", "/p/d", "/p/e"] }]
            """, settings: new Dictionary<string, string?> { ["Isr:Prerender:Concurrency"] = "2" });

        await proxy.Get<Prerenderer>().Completion;
        Assert.InRange(peak, 1, 2);

        Assert.Equal(5, proxy.Get<Prerenderer>().Warmed);
        foreach (var path in new[] { "/p/a", "/p/b", "/p/c", "/p/d", "/p/e" })
        {
            Assert.Equal(1, origin.Count(path));
            Assert.Equal(("HIT", $"{path} v1"), await proxy.FetchAsync(path));
        }
    }

    [Fact]
    public async Task Sitemap_PathsArePrerenderedAndServedUnderFallbackFalse()
    {
        OriginServer? self = null;
        await using var origin = await OriginServer.StartAsync(o =>
        {
            self = o;
            o.Route("/sitemap.xml", (ctx, n) =>
            {
                var root = self!.BaseAddress.ToString().TrimEnd('/');
                ctx.Response.ContentType = "application/xml";
                return ctx.Response.WriteAsync($"""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
                      <url><loc>{root}/shop/a</loc></url>
                      <url><loc>{root}/shop/b</loc></url>
                      <url><loc>{root}/elsewhere</loc></url>
                    </urlset>
                    """);
            });
        });
        await using var proxy = await ProxyHost.StartAsync(origin, """
            [{ "Match": "/shop/{item}", "Fallback": false, "Sitemap": "/sitemap.xml" }]
            """);
        await proxy.Get<Prerenderer>().Completion;

        Assert.Equal(("HIT", "/shop/a v1"), await proxy.FetchAsync("/shop/a"));
        Assert.Equal(("HIT", "/shop/b v1"), await proxy.FetchAsync("/shop/b"));
        using var unlisted = await proxy.SendAsync(HttpMethod.Get, "/shop/c");
        Assert.Equal(HttpStatusCode.NotFound, unlisted.StatusCode);
        Assert.Equal(0, origin.Count("/shop/c") + origin.Count("/elsewhere"));
    }

    [Fact]
    public async Task UnreadableSitemap_IsLogged_AndTheProxyServes()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/sitemap.xml", (ctx, n) => ctx.Response.WriteAsync("<not-xml")));
        await using var proxy = await ProxyHost.StartAsync(origin, """
            [{ "Match": "/shop/{item}", "Sitemap": "/sitemap.xml" }, { "Match": "/news/{item}", "Sitemap": "/absent.xml" }]
            """);
        await proxy.Get<Prerenderer>().Completion;

        Assert.Equal(2, proxy.Logs.Records.Count(r => r.EventId.Name == "SitemapFailed"));
        Assert.Equal(("MISS", "/shop/a v1"), await proxy.FetchAsync("/shop/a"));
    }

    [Fact]
    public async Task Hit_NeverTouchesTheOrigin()
    {
        var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/p");
        await origin.DisposeAsync();                                          // the origin is gone

        Assert.Equal(("HIT", "/p v1"), await proxy.FetchAsync("/p"));
    }

    [Fact]
    public async Task OriginSlowerThanMaxDuration_Gives504()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/slow", async (ctx, n) =>
        {
            await release.Task.WaitAsync(ctx.RequestAborted);             // no answer before the proxy's has come
            await ctx.Response.WriteAsync("late");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/slow", "MaxDuration": 1 }]""");

        using var response = await proxy.SendAsync(HttpMethod.Get, "/slow");
        release.SetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("MISS", ProxyHost.CacheClassOf(response));
    }

    [Fact]
    public async Task BypassedRequest_SlowerThanMaxDuration_Gives504()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/slow", async (ctx, n) =>
        {
            await release.Task.WaitAsync(ctx.RequestAborted);             // no answer before the proxy's has come
            await ctx.Response.WriteAsync("late");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/slow", "MaxDuration": 1, "Dynamic": "force-dynamic" }]""");

        using var response = await proxy.SendAsync(HttpMethod.Get, "/slow");
        release.SetResult();

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
    }

    [Fact]
    public async Task UnreachableOrigin_Gives502()
    {
        var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await origin.DisposeAsync();

        using var cached = await proxy.SendAsync(HttpMethod.Get, "/p");
        using var bypassed = await proxy.SendAsync(HttpMethod.Post, "/p");

        Assert.Equal(HttpStatusCode.BadGateway, cached.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, bypassed.StatusCode);
        Assert.Equal("MISS", ProxyHost.CacheClassOf(cached));
        Assert.Equal("BYPASS", ProxyHost.CacheClassOf(bypassed));
        Assert.Equal("IsrProxy; fwd=method", ProxyHost.Header(bypassed, "Cache-Status"));
    }
}
