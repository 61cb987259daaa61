using System.Net;
using System.Text.Json;
using IsrProxy.Revalidation;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>On-demand revalidation by path, subtree and tag (SPEC §3).</summary>
public sealed class PurgeTests
{
    private const string Secret = "s3cr3t-purge-token";
    private static readonly Dictionary<string, string?> WithSecret = new() { ["Isr:Secret"] = Secret };

    private static Task<HttpResponseMessage> Purge(ProxyHost proxy, string pathAndQuery, HttpMethod? method = null)
        => proxy.SendAsync(method ?? HttpMethod.Post, pathAndQuery, ("Authorization", "Bearer " + Secret));

    private static async Task<JsonElement> Json(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task PathPurge_Stale_ServesTheOldPageOnce_ThenTheNew()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await proxy.FetchAsync("/blog/a");

        using var purge = await Purge(proxy, "/_revalidate/path/blog/a");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        var body = await Json(purge);
        Assert.True(body.GetProperty("revalidated").GetBoolean());
        Assert.InRange(body.GetProperty("now").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());

        Assert.Equal(("STALE", "/blog/a v1"), await proxy.FetchAsync("/blog/a"));
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 1, "the page was regenerated");
        Assert.Equal(("HIT", "/blog/a v2"), await proxy.FetchAsync("/blog/a"));
    }

    [Fact]
    public async Task PathPurge_Expire_NextRequestWaitsForTheOrigin()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await proxy.FetchAsync("/blog/a");

        using var _ = await Purge(proxy, "/_revalidate/path/blog/a?mode=expire");

        Assert.Equal(("MISS", "/blog/a v2"), await proxy.FetchAsync("/blog/a"));
        Assert.Equal(("HIT", "/blog/a v2"), await proxy.FetchAsync("/blog/a"));
    }

    [Fact]
    public async Task TagPurge_Refresh_NextVisitorGetsTheNewPageWithNoOriginWait()
    {
        await using var origin = await OriginServer.StartAsync(o =>
        {
            for (var i = 0; i < 20; i++)
            {
                o.Versioned($"/products/{i}", ("Cache-Tag", "collection, product-" + i));
            }
        });
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        for (var i = 0; i < 20; i++)
        {
            await proxy.FetchAsync($"/products/{i}");
        }

        await proxy.FetchAsync("/unrelated");
        using var _ = await Purge(proxy, "/_revalidate/tag/collection?mode=refresh");
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 20, "every tagged page was regenerated");

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(("HIT", $"/products/{i} v2"), await proxy.FetchAsync($"/products/{i}"));
            Assert.Equal(2, origin.Count($"/products/{i}"));                  // the visitor did not wait on the origin
        }

        Assert.Equal(("HIT", "/unrelated v1"), await proxy.FetchAsync("/unrelated"));
    }

    [Theory]
    [InlineData("Cache-Tag", "a, collection")]
    [InlineData("Surrogate-Key", "a collection")]
    [InlineData("Cache-Groups", "\"a\", \"collection\"")]
    [InlineData("x-next-cache-tags", "a,collection")]
    public async Task TagPurge_ReachesTagsFromEveryHeaderDialect(string header, string value)
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", (header, value)));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await proxy.FetchAsync("/p");

        using var _ = await Purge(proxy, "/_revalidate/tag/collection?mode=expire");

        Assert.Equal("MISS", (await proxy.FetchAsync("/p")).Cache);
    }

    [Fact]
    public async Task TagPurge_ReachesTheRulesTags()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/blog/**", "Tags": ["blog"] }, { "Match": "/**" }]""", settings: WithSecret);
        await proxy.FetchAsync("/blog/a");
        await proxy.FetchAsync("/other");

        using var _ = await Purge(proxy, "/_revalidate/tag/blog");

        Assert.Equal("STALE", (await proxy.FetchAsync("/blog/a")).Cache);
        Assert.Equal("HIT", (await proxy.FetchAsync("/other")).Cache);
    }

    [Fact]
    public async Task SubtreePurge_CoversThePathAndEverythingBeneath_AndNothingElse()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        foreach (var path in new[] { "/blog", "/blog/a", "/blog/a/b", "/blogroll", "/about" })
        {
            await proxy.FetchAsync(path);
        }

        using var _ = await Purge(proxy, "/_revalidate/path/blog?type=layout&mode=expire");

        Assert.Equal("MISS", (await proxy.FetchAsync("/blog")).Cache);
        Assert.Equal("MISS", (await proxy.FetchAsync("/blog/a")).Cache);
        Assert.Equal("MISS", (await proxy.FetchAsync("/blog/a/b")).Cache);
        Assert.Equal("HIT", (await proxy.FetchAsync("/blogroll")).Cache);
        Assert.Equal("HIT", (await proxy.FetchAsync("/about")).Cache);
    }

    [Fact]
    public async Task PathPurge_CoversEveryVariant()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", (ctx, n) =>
        {
            ctx.Response.Headers.Vary = "Accept-Language";
            return ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await proxy.FetchAsync("/p?x=1", ("Accept-Language", "fr"));
        await proxy.FetchAsync("/p?x=1", ("Accept-Language", "de"));
        await proxy.FetchAsync("/p?x=2");
        await proxy.FetchAsync("/p");

        using var _ = await Purge(proxy, "/_revalidate/path/p/?mode=expire");      // the trailing slash is the same path

        Assert.Equal("MISS", (await proxy.FetchAsync("/p?x=1", ("Accept-Language", "fr"))).Cache);
        Assert.Equal("MISS", (await proxy.FetchAsync("/p?x=1", ("Accept-Language", "de"))).Cache);
        Assert.Equal("MISS", (await proxy.FetchAsync("/p?x=2")).Cache);
        using var head = await proxy.SendAsync(HttpMethod.Head, "/p");
        Assert.Equal("MISS", ProxyHost.CacheClassOf(head));
    }

    [Fact]
    public async Task RootPath_IsPurgedThroughAnEncodedSlash()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await proxy.FetchAsync("/");
        await proxy.FetchAsync("/a");

        using var purge = await Purge(proxy, "/_revalidate/path/%2F?mode=expire");

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("MISS", (await proxy.FetchAsync("/")).Cache);
        Assert.Equal("HIT", (await proxy.FetchAsync("/a")).Cache);
    }

    [Fact]
    public async Task PurgeDuringARegeneration_IsNotLost()
    {
        var regenerating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", async (ctx, n) =>
        {
            if (n == 2)
            {
                regenerating.SetResult();
                await release.Task;                                          // the render started before the purge
            }

            await ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 1 }]""", settings: WithSecret);
        await proxy.FetchAsync("/p");
        await Eventually.TrueAsync(async () => (await proxy.FetchAsync("/p")).Cache == "STALE", "the page went stale");
        await regenerating.Task;

        using (var _ = await Purge(proxy, "/_revalidate/path/p"))
        {
        }

        release.SetResult();
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded >= 1, "the older render finished");

        var (cache, body) = await proxy.FetchAsync("/p");
        Assert.Equal("STALE", cache);                                         // v2 began before the purge: it is not fresh
        Assert.Equal("v2", body);
        await Eventually.TrueAsync(() => origin.Count("/p") >= 3, "a render after the purge was started");
    }

    [Theory]
    [InlineData("Authorization", "Bearer " + Secret)]
    [InlineData("X-Isr-Secret", Secret)]
    [InlineData(null, null)]
    public async Task Secret_IsAcceptedFromHeaderBearerOrQuery_OnGetAndPost(string? header, string? value)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        var query = header is null ? "?secret=" + Secret : string.Empty;
        (string, string)[] headers = header is null ? [] : [(header, value!)];

        using var post = await proxy.SendAsync(HttpMethod.Post, "/_revalidate/tag/t" + query, headers);
        using var get = await proxy.SendAsync(HttpMethod.Get, "/_revalidate/tag/t" + query, headers);

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Null(ProxyHost.Header(get, "Cache-Status"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Bearer ")]
    [InlineData("Basic " + Secret)]
    [InlineData("Bearer " + Secret + "x")]
    public async Task WrongOrMissingSecret_Is401(string? authorization)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await proxy.FetchAsync("/p");
        (string, string)[] headers = authorization is null ? [] : [("Authorization", authorization)];

        using var response = await proxy.SendAsync(HttpMethod.Post, "/_revalidate/path/p?mode=expire", headers);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Invalid token", (await Json(response)).GetProperty("message").GetString());
        Assert.Equal("HIT", (await proxy.FetchAsync("/p")).Cache);
    }

    [Theory]
    [InlineData("/_revalidate/tag/")]
    [InlineData("/_revalidate/path/")]
    [InlineData("/_revalidate/tag/a%01b")]
    [InlineData("/_revalidate/path/a%0Ab")]
    [InlineData("/_revalidate/tag/t?mode=nuke")]
    [InlineData("/_revalidate/path/p?type=tree")]
    [InlineData("/_isr/entries?limit=0")]
    [InlineData("/_isr/entries?limit=abc")]
    [InlineData("/_isr/entries?prefix=nope")]
    public async Task MalformedPurges_Are400WithAMessage(string pathAndQuery)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);

        using var response = await Purge(proxy, pathAndQuery, HttpMethod.Get);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace((await Json(response)).GetProperty("message").GetString()));
        Assert.Equal(0, origin.TotalCount);
    }

    [Fact]
    public async Task OversizedTagsAndPaths_Are400()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);

        using var longTag = await Purge(proxy, "/_revalidate/tag/" + new string('t', 257));
        using var maxTag = await Purge(proxy, "/_revalidate/tag/" + new string('t', 256));
        using var longPath = await Purge(proxy, "/_revalidate/path/" + new string('p', 2048));
        using var maxPath = await Purge(proxy, "/_revalidate/path/" + new string('p', 2046));

        Assert.Equal(HttpStatusCode.BadRequest, longTag.StatusCode);
        Assert.Equal(HttpStatusCode.OK, maxTag.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, longPath.StatusCode);
        Assert.Equal(HttpStatusCode.OK, maxPath.StatusCode);
    }

    [Fact]
    public async Task WithNoSecretConfigured_EndpointsAre404_AndSayItAtStartup()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var purge = await proxy.SendAsync(HttpMethod.Post, "/_revalidate/tag/t", ("Authorization", "Bearer anything"));
        using var entries = await proxy.SendAsync(HttpMethod.Get, "/_isr/entries");

        Assert.Equal(HttpStatusCode.NotFound, purge.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, entries.StatusCode);
        Assert.Contains(proxy.Logs.Records, r => r.EventId.Name == "PurgeDisabled");
    }

    [Theory]
    [InlineData("/_revalidate/tag/t")]
    [InlineData("/_revalidate/path/p")]
    [InlineData("/_revalidate/other")]
    [InlineData("/_revalidate")]
    [InlineData("/_isr/unknown")]
    public async Task PurgeRequests_NeverReachTheOrigin(string path)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var withSecret = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await using var without = await ProxyHost.StartAsync(origin);

        foreach (var proxy in new[] { withSecret, without })
        {
            using var authorized = await Purge(proxy, path);
            using var anonymous = await proxy.SendAsync(HttpMethod.Get, path);
        }

        Assert.Equal(0, origin.TotalCount);
    }

    [Fact]
    public async Task TheSecret_NeverAppearsInLogs()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: WithSecret);
        await proxy.FetchAsync("/p");

        using (await proxy.SendAsync(HttpMethod.Get, "/_revalidate/tag/t?mode=refresh&secret=" + Secret))
        using (await proxy.SendAsync(HttpMethod.Get, "/_revalidate/tag/t?secret=" + Secret + "-wrong"))
        using (await proxy.SendAsync(HttpMethod.Post, "/_revalidate/path/p", ("X-Isr-Secret", Secret)))
        using (await proxy.SendAsync(HttpMethod.Get, "/_isr/stats", ("Authorization", "Bearer " + Secret)))
        using (await proxy.SendAsync(HttpMethod.Get, "/p?secret=" + Secret))
        {
        }

        // A request's line is written once its answer has gone out, which may be just after the client has read it.
        await Eventually.TrueAsync(() => proxy.Logs.Records.Count(r => r.EventId.Name == "Request") >= 6, "every request's line was written");
        foreach (var record in proxy.Logs.Records)
        {
            Assert.DoesNotContain(Secret, record.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(record.Fields.Values, v => v?.ToString()?.Contains(Secret, StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public async Task AdminEndpoints_ListEntriesAndStats()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/blog/a", ("Cache-Tag", "blog")));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/blog/**", "Revalidate": 60 }]""", settings: WithSecret);
        await proxy.FetchAsync("/blog/a");
        await proxy.FetchAsync("/about");
        using (await Purge(proxy, "/_revalidate/tag/blog"))
        {
        }

        using var entries = await proxy.SendAsync(HttpMethod.Get, "/_isr/entries?prefix=/blog&limit=10", ("X-Isr-Secret", Secret));
        using var stats = await proxy.SendAsync(HttpMethod.Get, "/_isr/stats", ("X-Isr-Secret", Secret));
        using var anonymous = await proxy.SendAsync(HttpMethod.Get, "/_isr/stats");

        var list = (await Json(entries)).GetProperty("entries");
        var entry = Assert.Single(list.EnumerateArray());
        Assert.Equal("/blog/a", entry.GetProperty("path").GetString());
        Assert.Equal("stale", entry.GetProperty("state").GetString());
        Assert.Equal("blog", Assert.Single(entry.GetProperty("tags").EnumerateArray()).GetString());
        Assert.Equal("/blog/a v1".Length, entry.GetProperty("size").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, entry.GetProperty("revalidateAt").ValueKind);
        var s = await Json(stats);
        Assert.Equal(2, s.GetProperty("store").GetProperty("entries").GetInt64());
        Assert.Equal(1, s.GetProperty("purges").GetInt64());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("no-store", ProxyHost.Header(stats, "Cache-Control"));
    }

    [Theory]
    [InlineData("bypassed")]
    [InlineData("streamed")]
    [InlineData("stored")]
    public async Task TagHeaders_NeverReachClients_OnAnyPath(string path)
    {
        var big = new string('x', 20_000);
        await using var origin = await OriginServer.StartAsync(o =>
        {
            foreach (var p in new[] { "/bypassed", "/streamed", "/stored" })
            {
                o.Route(p, (ctx, n) =>
                {
                    ctx.Response.Headers["Cache-Tag"] = "a";
                    ctx.Response.Headers["Surrogate-Key"] = "b";
                    ctx.Response.Headers["x-next-cache-tags"] = "c";
                    ctx.Response.Headers["Cache-Groups"] = "\"d\"";
                    ctx.Response.Headers["X-Kept"] = "yes";
                    return ctx.Response.WriteAsync(p == "/streamed" ? big : "small");
                });
            }
        });
        await using var proxy = await ProxyHost.StartAsync(
            origin, settings: new Dictionary<string, string?> { ["Isr:Store:MaxEntryBytes"] = "10000" });
        (string, string)[] headers = path == "bypassed" ? [("Cookie", "sid=1")] : [];

        using var response = await proxy.SendAsync(HttpMethod.Get, "/" + path, headers);

        Assert.Equal("yes", ProxyHost.Header(response, "X-Kept"));
        foreach (var name in new[] { "Cache-Tag", "Surrogate-Key", "x-next-cache-tags", "Cache-Groups" })
        {
            Assert.Null(ProxyHost.Header(response, name));
        }
    }

    [Fact]
    public async Task TagHeaders_ForwardTrue_ReachClientsOnBypassToo()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Tag", "a")));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: new Dictionary<string, string?> { ["Isr:TagHeaders:Forward"] = "true" });

        using var response = await proxy.SendAsync(HttpMethod.Get, "/p", ("Cookie", "sid=1"));

        Assert.Equal("BYPASS", ProxyHost.CacheClassOf(response));
        Assert.Equal("a", ProxyHost.Header(response, "Cache-Tag"));
    }

    [Fact]
    public async Task TagHeaders_AreConfigurable_AndForwardedOnlyWhenAsked()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("X-Keys", "k1,k2"), ("Cache-Tag", "ignored")));
        var settings = new Dictionary<string, string?>(WithSecret) { ["Isr:TagHeaders:CacheTag"] = "X-Keys", ["Isr:TagHeaders:Forward"] = "true" };
        await using var proxy = await ProxyHost.StartAsync(origin, settings: settings);
        await proxy.FetchAsync("/p");

        using var hit = await proxy.SendAsync(HttpMethod.Get, "/p");
        using (await Purge(proxy, "/_revalidate/tag/ignored?mode=expire"))
        {
        }

        Assert.Equal("k1,k2", ProxyHost.Header(hit, "X-Keys"));
        Assert.Equal("HIT", (await proxy.FetchAsync("/p")).Cache);
        using (await Purge(proxy, "/_revalidate/tag/k2?mode=expire"))
        {
        }

        Assert.Equal("MISS", (await proxy.FetchAsync("/p")).Cache);
    }
}
