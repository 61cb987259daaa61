using System.IO.Compression;
using System.Net;
using System.Text;
using IsrProxy.NextJs;
using IsrProxy.Observability;
using IsrProxy.Revalidation;
using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Tests.Integration;

/// <summary>Next.js origins (<c>Isr:NextJs:Enabled</c>): one ISR layer end to end, against an origin that answers as <c>next start</c> does.</summary>
public sealed class NextJsTests
{
    private const string Secret = "next-purge-secret";
    private const string PreviewModeId = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

    private static Dictionary<string, string?> NextSettings(bool previewModeId = true, bool enabled = true) => new()
    {
        ["Isr:Secret"] = Secret,
        ["Isr:NextJs:Enabled"] = enabled ? "true" : "false",
        ["Isr:NextJs:PreviewModeId"] = previewModeId ? PreviewModeId : null,
        ["Isr:NextJs:StaleRefetchDelayMilliseconds"] = "20",
    };

    private static Task<HttpResponseMessage> Admin(ProxyHost proxy, string pathAndQuery, string? json = null)
        => proxy.PostWithSecretAsync(pathAndQuery, Secret, json);

    [Fact]
    public async Task StaleAnswer_IsStoredStale_AndFetchedAgainUntilNextHasRendered()
    {
        var page = new FakeNextPage("/blog/a", PreviewModeId);
        page.MarkStale(answers: 2);                                  // Next's copy is stale, and so is the first re-fetch
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings(previewModeId: false));   // no id: fills ask plainly

        Assert.Equal(("MISS", page.Body(1)), await proxy.FetchAsync("/blog/a"));     // served, but not as fresh
        await Eventually.TrueAsync(() => origin.Count("/blog/a") == 3, "the page was asked for until Next answered a current render");
        await Eventually.TrueAsync(() => proxy.Get<RegenerationQueue>().Pending == 0, "the re-fetches ended");

        Assert.Equal(("HIT", page.Body(3)), await proxy.FetchAsync("/blog/a"));
        Assert.Equal(3, origin.Count("/blog/a"));
    }

    [Fact]
    public async Task StaleAnswerToARegeneration_IsStoredStale_AndFetchedAgain()
    {
        var page = new FakeNextPage("/blog/a", PreviewModeId);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings(previewModeId: false));
        Assert.Equal(("MISS", page.Body(1)), await proxy.FetchAsync("/blog/a"));

        page.MarkStale();                                             // Next's own copy went stale too
        (await Admin(proxy, "/_revalidate/path/blog/a")).Dispose();    // no preview mode id: Next answers from its cache
        Assert.Equal(("STALE", page.Body(1)), await proxy.FetchAsync("/blog/a"));

        await Eventually.TrueAsync(() => proxy.Get<RegenerationQueue>().Pending == 0 && origin.Count("/blog/a") == 3, "the regeneration asked again");
        Assert.Equal(("HIT", page.Body(2)), await proxy.FetchAsync("/blog/a"));
    }

    [Fact]
    public async Task StaleAnswer_WithoutTheOption_IsStoredAsFresh()
    {
        var page = new FakeNextPage("/blog/a", PreviewModeId);
        page.MarkStale();
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings(enabled: false));

        Assert.Equal(("MISS", page.Body(1)), await proxy.FetchAsync("/blog/a"));
        Assert.Equal(("HIT", page.Body(1)), await proxy.FetchAsync("/blog/a"));      // the double staleness the option removes
    }

    [Fact]
    public async Task Freshness_CountsFromNextsRender_WhenTheAnswerCarriesAge()
    {
        var time = new ManualTimeProvider();
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Control", "s-maxage=60"), ("Age", "50"), ("x-nextjs-cache", "HIT")));
        await using var proxy = await ProxyHost.StartAsync(origin, time: time, settings: NextSettings());

        Assert.Equal("MISS", (await proxy.FetchAsync("/p")).Cache);
        time.Advance(TimeSpan.FromSeconds(11));                      // 50 s old at the origin, 61 s now: past s-maxage
        Assert.Equal("STALE", (await proxy.FetchAsync("/p")).Cache);
    }

    [Theory]
    [InlineData("/_revalidate/tag/blog", "STALE")]
    [InlineData("/_revalidate/tag/blog?mode=refresh", null)]
    [InlineData("/_revalidate/tag/blog?mode=expire", "MISS")]
    [InlineData("/_revalidate/path/blog/a", "STALE")]
    [InlineData("/_revalidate/path/blog?type=layout", "STALE")]
    public async Task Purge_MakesNextRender_InsteadOfAnsweringItsCachedCopy(string purge, string? nextClass)
    {
        var page = new FakeNextPage("/blog/a", PreviewModeId);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/blog/{slug}", "Tags": ["blog"] }]""", settings: NextSettings());
        Assert.Equal(("MISS", page.Body(2)), await proxy.FetchAsync("/blog/a"));       // nothing stored: Next renders (render 2)

        using (var purged = await Admin(proxy, purge))
        {
            Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        }

        if (nextClass is not null)
        {
            var (cache, body) = await proxy.FetchAsync("/blog/a");
            Assert.Equal(nextClass, cache);
            Assert.Equal(nextClass == "MISS" ? page.Body(3) : page.Body(2), body);
        }

        await Eventually.TrueAsync(() => page.OnDemandRenders == 2, "Next rendered the page for the purge");
        await Eventually.TrueAsync(async () => await proxy.FetchAsync("/blog/a") == ("HIT", page.Body(3)), "the new render is served");
        Assert.Equal(2, page.OnDemandRenders);

        // Only the first fill and the fill after the purge carried the id, and no log line holds it.
        Assert.Equal(2, origin.Requests.Count(r => r.Headers.ContainsKey("x-prerender-revalidate")));
        Assert.DoesNotContain(proxy.Logs.Records, r => r.Message.Contains(PreviewModeId, StringComparison.Ordinal)
            || r.Fields.Values.Any(v => v?.ToString()?.Contains(PreviewModeId, StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task Purge_UsesThePreviewModeIdLearnedFromTheBuild()
    {
        var page = new FakeNextPage("/blog/a", PreviewModeId);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings(previewModeId: false));
        await proxy.FetchAsync("/blog/a");

        // No id yet: the purge regenerates, but Next answers its cached copy.
        (await Admin(proxy, "/_revalidate/path/blog/a")).Dispose();
        Assert.Equal("STALE", (await proxy.FetchAsync("/blog/a")).Cache);
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 1, "the regeneration ran");
        Assert.Equal(("HIT", page.Body(1)), await proxy.FetchAsync("/blog/a"));

        using (var build = await Admin(proxy, "/_revalidate/next/build", $$"""{"buildId":"b1","previewModeId":"{{PreviewModeId}}"}""".Replace("{PreviewModeId}", PreviewModeId, StringComparison.Ordinal)))
        {
            Assert.Equal(HttpStatusCode.OK, build.StatusCode);
            Assert.Equal("""{"ok":true}""", await build.Content.ReadAsStringAsync());
        }

        (await Admin(proxy, "/_revalidate/path/blog/a")).Dispose();
        Assert.Equal("STALE", (await proxy.FetchAsync("/blog/a")).Cache);
        await Eventually.TrueAsync(async () => await proxy.FetchAsync("/blog/a") == ("HIT", page.Body(2)), "Next rendered for the purge");
    }

    [Fact]
    public async Task ClientsPrerenderRevalidateHeader_StillBypasses_AndFillsCarryOnlyTheBuildsId()
    {
        var page = new FakeNextPage("/p", PreviewModeId);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings());

        Assert.Equal(("MISS", page.Body(2)), await proxy.FetchAsync("/p"));                                 // nothing stored: Next renders
        Assert.Equal("BYPASS", (await proxy.FetchAsync("/p", ("x-prerender-revalidate", "guess"))).Cache);
        Assert.Equal(PreviewModeId, origin.Requests.First().Headers["x-prerender-revalidate"]);
        Assert.Equal(1, page.OnDemandRenders);
    }

    [Fact]
    public async Task Stats_SayWhetherTheBuildIsKnown_NeverTheId()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings(previewModeId: false));

        Assert.Equal("""{"buildId":null,"previewModeIdKnown":false}""", await NextJsStatsAsync(proxy));
        (await Admin(proxy, "/_revalidate/next/build", $$"""{"buildId":"b1","previewModeId":"{{PreviewModeId}}"}""")).Dispose();
        var stats = await NextJsStatsAsync(proxy);

        Assert.Equal("""{"buildId":"b1","previewModeIdKnown":true}""", stats);
        Assert.DoesNotContain(PreviewModeId, stats, StringComparison.Ordinal);
    }

    private static async Task<string> NextJsStatsAsync(ProxyHost proxy)
    {
        using var response = await proxy.SendAsync(HttpMethod.Get, "/_isr/stats", ("X-Isr-Secret", Secret));
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("nextJs").GetRawText();
    }

    [Fact]
    public async Task NextTags_AttachToThePathsEntries_PresentAndFuture()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings());
        Assert.Equal(("MISS", "/blog/a v1"), await proxy.FetchAsync("/blog/a"));       // stored before the tags are known
        await proxy.FetchAsync("/blog/b");

        using (var tags = await Admin(proxy, "/_revalidate/next/tags", """{"pages":[{"path":"/blog/a","tags":["posts","_N_T_/blog/a"]}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
            Assert.Equal("""{"ok":true,"pages":1}""", await tags.Content.ReadAsStringAsync());
        }

        (await Admin(proxy, "/_revalidate/tag/posts")).Dispose();
        Assert.Equal(("STALE", "/blog/a v1"), await proxy.FetchAsync("/blog/a"));
        Assert.Equal(("HIT", "/blog/b v1"), await proxy.FetchAsync("/blog/b"));         // not tagged
        await Eventually.TrueAsync(async () => await proxy.FetchAsync("/blog/a") == ("HIT", "/blog/a v2"), "the page was regenerated");

        // The new render carries the tags itself.
        var stored = await proxy.Get<ICacheStore>().GetAsync("/blog/a", default);
        Assert.Contains("posts", stored!.Tags);
        (await Admin(proxy, "/_revalidate/tag/_N_T_/blog/a?mode=expire")).Dispose();
        Assert.Equal(("MISS", "/blog/a v3"), await proxy.FetchAsync("/blog/a"));
    }

    [Fact]
    public async Task NextTags_ToldAfterAPurgeOfThem_StillReachThePageRenderedBeforeThePurge()
    {
        // The site reports a page's tags after rendering it, so a purge can come first.
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings());
        await proxy.FetchAsync("/items/b");
        (await Admin(proxy, "/_revalidate/tag/item-b")).Dispose();
        Assert.Equal(("HIT", "/items/b v1"), await proxy.FetchAsync("/items/b"));       // nothing yet says it is tagged

        (await Admin(proxy, "/_revalidate/next/tags", """{"pages":[{"path":"/items/b","tags":["item-b"]}]}""")).Dispose();

        Assert.Equal(("STALE", "/items/b v1"), await proxy.FetchAsync("/items/b"));
        await Eventually.TrueAsync(async () => await proxy.FetchAsync("/items/b") == ("HIT", "/items/b v2"), "the page was regenerated");
        (await Admin(proxy, "/_revalidate/next/tags", """{"pages":[{"path":"/items/b","tags":["item-b"]}]}""")).Dispose();
        Assert.Equal(("HIT", "/items/b v2"), await proxy.FetchAsync("/items/b"));       // the old purge is older than this render
    }

    [Theory]
    [InlineData("/_revalidate/next/tags", "not json", HttpStatusCode.BadRequest)]
    [InlineData("/_revalidate/next/tags", """{"pages":[{"path":"no-slash","tags":["a"]}]}""", HttpStatusCode.BadRequest)]
    [InlineData("/_revalidate/next/tags", """{"pages":[{"path":"/a","tags":[""]}]}""", HttpStatusCode.BadRequest)]
    [InlineData("/_revalidate/next/build", """{"previewModeId":"not hex!"}""", HttpStatusCode.BadRequest)]
    [InlineData("/_revalidate/next/build", """{"buildId":"b"}""", HttpStatusCode.BadRequest)]
    public async Task NextEndpoints_RefuseBadBodies(string path, string body, HttpStatusCode expected)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings());
        using var response = await Admin(proxy, path, body);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(0, origin.TotalCount);
    }

    [Fact]
    public async Task NextEndpoints_AreOffWithoutTheOption_AndNeedTheSecret()
    {
        await using var origin = await OriginServer.StartAsync();
        await using (var off = await ProxyHost.StartAsync(origin, settings: NextSettings(enabled: false)))
        {
            using var response = await Admin(off, "/_revalidate/next/tags", """{"pages":[]}""");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings());
        using var unauthorised = await proxy.SendAsync(HttpMethod.Post, "/_revalidate/next/build");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorised.StatusCode);
        using var tooMany = await Admin(proxy, "/_revalidate/next/tags",
            "{\"pages\":[" + string.Join(",", Enumerable.Range(0, 1001).Select(i => $$"""{"path":"/p{{i}}","tags":["t"]}""")) + "]}");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(0, proxy.Get<NextTagRegistry>().Count);
        Assert.Equal(0, origin.TotalCount);
    }

    [Fact]
    public async Task FallbackFalse_ServesTheSitesNotFoundPage_FetchedOncePerRule()
    {
        const string NotFound = "<h1>404: This page could not be found.</h1>";
        await using var origin = await OriginServer.StartAsync(o =>
        {
            foreach (var path in new[] { "/docs/unknown-1", "/docs/unknown-2", "/docs/deep/unknown-3" })
            {
                o.Route(path, (ctx, _) =>
                {
                    ctx.Response.StatusCode = StatusCodes.Status404NotFound;
                    ctx.Response.Headers.CacheControl = "private, no-cache, no-store, max-age=0, must-revalidate";
                    ctx.Response.Headers.Vary = FakeNextPage.NextVary + ", Accept-Encoding";
                    ctx.Response.Headers["x-nextjs-cache"] = "HIT";
                    ctx.Response.ContentType = "text/html; charset=utf-8";
                    return FakeNextPage.WriteAsync(ctx, NotFound);
                });
            }
        });
        await using var proxy = await ProxyHost.StartAsync(
            origin, """[{ "Match": "/docs/**", "Fallback": "false", "Prerender": ["/docs/intro"] }]""", settings: NextSettings());
        await Eventually.TrueAsync(() => origin.Count("/docs/intro") == 1, "the listed page was prerendered");

        foreach (var (path, cache) in new[] { ("/docs/unknown-1", "MISS"), ("/docs/unknown-2", "HIT"), ("/docs/deep/unknown-3", "HIT") })
        {
            using var response = await proxy.SendAsync(HttpMethod.Get, path, ("Accept-Encoding", "gzip, br"));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(cache, ProxyHost.CacheClassOf(response));
            Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.Equal(NotFound, await Decoded(response));
        }

        Assert.Equal(1, origin.Count("/docs/unknown-1"));
        Assert.Equal(0, origin.Count("/docs/unknown-2") + origin.Count("/docs/deep/unknown-3"));
    }

    [Fact]
    public async Task Fills_AskForIdentity_SoOneEntryServesEveryCoding()
    {
        var page = new FakeNextPage("/p", PreviewModeId, bodyPadding: 4000);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: NextSettings(previewModeId: false));

        foreach (var (acceptEncoding, coding) in new[] { ("gzip, deflate, br", "br"), ("gzip", "gzip"), ("", null) })
        {
            using var response = await proxy.SendAsync(HttpMethod.Get, "/p", ("Accept-Encoding", acceptEncoding));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(coding, ProxyHost.Header(response, "Content-Encoding"));
            Assert.Equal(page.Body(1), await Decoded(response));
        }

        Assert.Equal(1, origin.Count("/p"));
        Assert.Equal("identity", origin.Requests.Single().Headers["Accept-Encoding"]);
        Assert.Single(await proxy.Get<ICacheStore>().FindAsync(ClockKeys.Path("/p"), 10, default), e => !e.IsVaryMarker);
    }

    [Fact]
    public async Task PageWhoseTimeRanOut_IsRegeneratedByANextRender_NotNextsStaleCopy()
    {
        // Next's copy has the same lifetime as the proxy's, so when the proxy's runs out, Next's is stale too: the
        // regeneration asks Next to render rather than take the STALE copy and wait for Next's own render behind it.
        var time = new ManualTimeProvider();
        var page = new FakeNextPage("/blog/a", PreviewModeId, sMaxAge: 10);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/blog/a", (ctx, _) => page.HandleAsync(ctx)));
        await using var proxy = await ProxyHost.StartAsync(origin, time: time, settings: NextSettings());
        Assert.Equal(("MISS", page.Body(2)), await proxy.FetchAsync("/blog/a"));       // nothing stored: Next renders

        time.Advance(TimeSpan.FromSeconds(11));                      // (the fake's clock does not move: asked plainly, it would answer render 2 again)
        Assert.Equal(("STALE", page.Body(2)), await proxy.FetchAsync("/blog/a"));

        await Eventually.TrueAsync(async () => await proxy.FetchAsync("/blog/a") == ("HIT", page.Body(3)), "Next rendered the page for the regeneration");
        Assert.Equal(2, page.OnDemandRenders);
    }

    [Fact]
    public async Task FailedRegeneration_LogsTheOriginsStatus()
    {
        var time = new ManualTimeProvider();
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.StatusCode = n == 1 ? 200 : 503;
            return ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 10 }]""", time);
        await proxy.FetchAsync("/p");
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(("STALE", "v1"), await proxy.FetchAsync("/p"));

        await Eventually.TrueAsync(() => proxy.Logs.Records.Any(r => r.EventId.Id == EventIds.RegenerationFailed), "the regeneration failed");
        var failed = proxy.Logs.Records.Single(r => r.EventId.Id == EventIds.RegenerationFailed);
        Assert.Contains("the origin answered 503", failed.Message, StringComparison.Ordinal);
    }

    private static async Task<string> Decoded(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Stream stream = ProxyHost.Header(response, "Content-Encoding") switch
        {
            "br" => new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress),
            "gzip" => new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress),
            _ => new MemoryStream(bytes),
        };
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}
