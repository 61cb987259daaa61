using IsrProxy.Revalidation;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>Revalidate semantics (SPEC §2): stale served at once, one background regeneration, failures keep the last good page.</summary>
public sealed class RevalidationTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task Get_PastRevalidate_ServesStaleThenRegeneratesOnce()
    {
        var regenerating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", async (ctx, n) =>
        {
            if (n == 2)
            {
                await regenerating.Task;                                   // hold the regeneration while stale requests arrive
            }

            await ctx.Response.WriteAsync($"/blog/a v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/blog/{slug}", "Revalidate": 60 }]""", _time);

        Assert.Equal(("MISS", "/blog/a v1"), await proxy.FetchAsync("/blog/a"));
        Assert.Equal(("HIT", "/blog/a v1"), await proxy.FetchAsync("/blog/a"));
        _time.Advance(TimeSpan.FromSeconds(61));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(("STALE", "/blog/a v1"), await proxy.FetchAsync("/blog/a"));
        }

        regenerating.SetResult();
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 1, "the regeneration succeeded");

        Assert.Equal(("HIT", "/blog/a v2"), await proxy.FetchAsync("/blog/a"));
        Assert.Equal(2, origin.Count("/blog/a"));
    }

    [Fact]
    public async Task StaleVariant_IsRegeneratedUnderItsOwnKey_WithItsOwnHeaders()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.Headers.Vary = "Accept-Language";
            return ctx.Response.WriteAsync($"{ctx.Request.Headers.AcceptLanguage} v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 10 }]""", _time);
        await proxy.FetchAsync("/p", ("Accept-Language", "fr"));
        await proxy.FetchAsync("/p", ("Accept-Language", "de"));
        var renders = origin.Count("/p");

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("STALE", (await proxy.FetchAsync("/p", ("Accept-Language", "fr"))).Cache);
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 2, "both variants were regenerated");

        var (frCache, fr) = await proxy.FetchAsync("/p", ("Accept-Language", "fr"));
        var (deCache, de) = await proxy.FetchAsync("/p", ("Accept-Language", "de"));
        Assert.Equal(("HIT", "HIT"), (frCache, deCache));
        Assert.StartsWith("fr v", fr, StringComparison.Ordinal);                // each rendered with its own header
        Assert.StartsWith("de v", de, StringComparison.Ordinal);
        Assert.Equal(renders + 2, origin.Count("/p"));
        Assert.Equal(3, proxy.Get<Storage.ICacheStore>().Count);              // the marker and two variants, nothing else
    }

    [Fact]
    public async Task StaleVariant_RegeneratesTheUrlsOtherVariantsWithIt()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.Headers.Vary = "rsc";
            return ctx.Response.WriteAsync($"{(ctx.Request.Headers["rsc"] == "1" ? "rsc" : "html")} v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 10 }]""", _time);
        await proxy.FetchAsync("/p");                                           // HTML
        await proxy.FetchAsync("/p", ("rsc", "1"));                             // its RSC payload
        await proxy.FetchAsync("/q");                                           // another URL, also stale later
        var renders = origin.Count("/p");

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("STALE", (await proxy.FetchAsync("/p")).Cache);            // only the HTML is requested
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 2, "both variants were regenerated");

        var (cache, body) = await proxy.FetchAsync("/p", ("rsc", "1"));
        Assert.Equal("HIT", cache);                                             // refreshed with its page, not on request
        Assert.StartsWith("rsc v", body, StringComparison.Ordinal);
        Assert.Equal(renders + 2, origin.Count("/p"));
        Assert.Equal("STALE", (await proxy.FetchAsync("/q")).Cache);            // another URL is not touched
    }

    [Fact]
    public async Task FailedRegeneration_KeepsTheOldPage_AndRetriesAfterBackoff()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", (ctx, n) =>
        {
            ctx.Response.StatusCode = n == 2 ? 503 : 200;
            return ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(
            origin,
            """[{ "Match": "/blog/{slug}", "Revalidate": 60 }]""",
            _time,
            new Dictionary<string, string?> { ["Isr:Regeneration:BackoffSeconds"] = "30" });
        var worker = proxy.Get<RegenerationWorker>();
        var queue = proxy.Get<RegenerationQueue>();

        await proxy.FetchAsync("/blog/a");
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(("STALE", "v1"), await proxy.FetchAsync("/blog/a"));
        await Eventually.TrueAsync(() => worker.Failed == 1 && queue.Pending == 0, "the regeneration failed");

        Assert.Equal(("STALE", "v1"), await proxy.FetchAsync("/blog/a"));  // within the back-off: served, not retried
        Assert.Equal(0, queue.Pending);
        Assert.Equal(2, origin.Count("/blog/a"));

        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(("STALE", "v1"), await proxy.FetchAsync("/blog/a"));
        await Eventually.TrueAsync(() => worker.Succeeded == 1, "the retry succeeded");
        Assert.Equal(("HIT", "v3"), await proxy.FetchAsync("/blog/a"));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(404)]
    public async Task Regeneration_UncacheableOrErrorAnswer_KeepsLastGoodPage(int status)
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            if (n > 1)
            {
                ctx.Response.StatusCode = status;
                ctx.Response.Headers.CacheControl = "no-store";
            }

            return ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 10 }]""", _time);

        await proxy.FetchAsync("/p");
        _time.Advance(TimeSpan.FromSeconds(11));
        await proxy.FetchAsync("/p");
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Failed == 1, "the regeneration was refused");

        Assert.Equal(("STALE", "v1"), await proxy.FetchAsync("/p"));
    }

    [Fact]
    public async Task RegenerationOfAnUnreachableOrigin_KeepsLastGoodPage()
    {
        var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 10 }]""", _time);
        await proxy.FetchAsync("/p");
        await origin.DisposeAsync();

        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(("STALE", "/p v1"), await proxy.FetchAsync("/p"));
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Failed == 1, "the regeneration failed");
        Assert.Equal(("STALE", "/p v1"), await proxy.FetchAsync("/p"));
    }

    [Theory]
    [InlineData(60, "s-maxage=10", 11, "STALE")]        // the origin's lifetime is lower
    [InlineData(10, "s-maxage=60", 11, "STALE")]        // the rule's is lower
    [InlineData(60, "s-maxage=30", 20, "HIT")]
    [InlineData(60, "max-age=10", 11, "STALE")]
    [InlineData(60, "max-age=5, s-maxage=30", 11, "HIT")] // s-maxage beats max-age
    public async Task EffectiveRevalidate_IsTheLowestOfRuleAndOrigin(int rule, string cacheControl, int after, string expected)
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Control", cacheControl)));
        await using var proxy = await ProxyHost.StartAsync(origin, $$"""[{ "Match": "/**", "Revalidate": {{rule}} }]""", _time);

        await proxy.FetchAsync("/p");
        _time.Advance(TimeSpan.FromSeconds(after));

        Assert.Equal(expected, (await proxy.FetchAsync("/p")).Cache);
    }

    [Fact]
    public async Task TargetedCacheControl_ReplacesCacheControl()
    {
        await using var origin = await OriginServer.StartAsync(o => o
            .Versioned("/cdn", ("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=10"))
            .Versioned("/own", ("CDN-Cache-Control", "max-age=100"), ("IsrProxy-Cache-Control", "max-age=10")));
        await using var proxy = await ProxyHost.StartAsync(origin, time: _time);

        await proxy.FetchAsync("/cdn");
        await proxy.FetchAsync("/own");
        Assert.Equal("HIT", (await proxy.FetchAsync("/cdn")).Cache);
        _time.Advance(TimeSpan.FromSeconds(11));

        Assert.Equal("STALE", (await proxy.FetchAsync("/cdn")).Cache);
        Assert.Equal("STALE", (await proxy.FetchAsync("/own")).Cache);
    }

    [Fact]
    public async Task IgnoreOriginCacheControl_TheRuleWins()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Control", "s-maxage=5")));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 60, "IgnoreOriginCacheControl": true }]""", _time);

        await proxy.FetchAsync("/p");
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("HIT", (await proxy.FetchAsync("/p")).Cache);
    }

    [Fact]
    public async Task NextJsHeaders_WorkWithNoRule()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Control", "s-maxage=60, stale-while-revalidate")));
        await using var proxy = await ProxyHost.StartAsync(origin, time: _time);

        await proxy.FetchAsync("/p");
        Assert.Equal("HIT", (await proxy.FetchAsync("/p")).Cache);
        _time.Advance(TimeSpan.FromDays(30));                                // bare swr: the rule's MaxStale (1 year) bounds it
        Assert.Equal("STALE", (await proxy.FetchAsync("/p")).Cache);
    }

    [Fact]
    public async Task PastMaxStale_IsAMiss()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/swr", ("Cache-Control", "s-maxage=10, stale-while-revalidate=20")));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/rule/**", "Revalidate": 10, "MaxStale": 20 }]""", _time);

        await proxy.FetchAsync("/swr");
        await proxy.FetchAsync("/rule/a");
        await proxy.FetchAsync("/rule/b");
        _time.Advance(TimeSpan.FromSeconds(25));
        Assert.Equal("STALE", (await proxy.FetchAsync("/rule/b")).Cache);  // 15 s past revalidate: still served
        _time.Advance(TimeSpan.FromSeconds(10));                             // 35 s: 25 s past revalidate

        Assert.Equal(("MISS", "/swr v2"), await proxy.FetchAsync("/swr"));
        Assert.Equal("MISS", (await proxy.FetchAsync("/rule/a")).Cache);
    }

    [Fact]
    public async Task StaleIfError_ServesStaleWhileTheOriginFails()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.Headers.CacheControl = "s-maxage=10, stale-while-revalidate=10, stale-if-error=100";
            ctx.Response.StatusCode = n == 1 ? 200 : 502;
            return ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, time: _time);

        await proxy.FetchAsync("/p");
        _time.Advance(TimeSpan.FromSeconds(50));                             // past max stale, within stale-if-error

        using var response = await proxy.SendAsync(HttpMethod.Get, "/p");
        Assert.Equal("STALE", ProxyHost.CacheClassOf(response));
        Assert.Equal("v1", await response.Content.ReadAsStringAsync());
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task NotFound_IsCachedWithNotFoundRevalidate()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/gone", (ctx, n) =>
        {
            ctx.Response.StatusCode = 404;
            return ctx.Response.WriteAsync($"missing v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 300, "NotFoundRevalidate": 5 }]""", _time);

        using (var first = await proxy.SendAsync(HttpMethod.Get, "/gone"))
        {
            Assert.Equal(404, (int)first.StatusCode);
        }

        using (var hit = await proxy.SendAsync(HttpMethod.Get, "/gone"))
        {
            Assert.Equal(("HIT", 404), (ProxyHost.CacheClassOf(hit), (int)hit.StatusCode));
        }

        _time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal("STALE", (await proxy.FetchAsync("/gone")).Cache);
    }

    [Fact]
    public async Task Regenerations_AreCappedAtMaxConcurrency()
    {
        var inFlight = 0;
        var peak = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o =>
        {
            for (var i = 0; i < 12; i++)
            {
                o.Route($"/p{i}", async (ctx, n) =>
                {
                    if (n > 1)
                    {
                        var now = Interlocked.Increment(ref inFlight);
                        InterlockedMax(ref peak, now);
                        await release.Task;
                        Interlocked.Decrement(ref inFlight);
                    }

                    await ctx.Response.WriteAsync($"v{n}");
                });
            }
        });
        await using var proxy = await ProxyHost.StartAsync(
            origin,
            """[{ "Match": "/**", "Revalidate": 10 }]""",
            _time,
            new Dictionary<string, string?> { ["Isr:Regeneration:MaxConcurrency"] = "3" });

        for (var i = 0; i < 12; i++)
        {
            await proxy.FetchAsync($"/p{i}");
        }

        _time.Advance(TimeSpan.FromSeconds(11));
        for (var i = 0; i < 12; i++)
        {
            Assert.Equal("STALE", (await proxy.FetchAsync($"/p{i}")).Cache);
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref inFlight) == 3, "three regenerations reached the origin");
        Assert.Equal(12, proxy.Get<RegenerationQueue>().Pending);             // the rest wait in the queue
        release.SetResult();
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 12, "every page was regenerated");
        Assert.Equal(3, peak);
    }

    private static void InterlockedMax(ref int location, int value)
    {
        var current = Volatile.Read(ref location);
        while (value > current && Interlocked.CompareExchange(ref location, value, current) != current)
        {
            current = Volatile.Read(ref location);
        }
    }
}
