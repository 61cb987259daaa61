using IsrProxy.Revalidation;
using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Tests.Integration;

/// <summary>
/// Hit-for-pass: an answer that cannot be stored is never handed to another client. Requests that waited on its fill
/// each get a render of their own, with their own headers, and the URL is then passed to the origin request by request,
/// uncoalesced, until an answer could be stored again.
/// </summary>
public sealed class HitForPassTests
{
    private const string Secret = "hit-for-pass-secret";

    [Theory]
    [InlineData("Cache-Control", "private")]
    [InlineData("Cache-Control", "no-store")]
    [InlineData("Set-Cookie", "session=abc; Path=/")]
    public async Task ConcurrentRequests_ForAnUncacheablePage_EachGetTheirOwnRender(string header, string value)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/me", async (ctx, n) =>
        {
            await release.Task;                                                   // slow until the test lets it go
            ctx.Response.Headers.Append(header, value);
            await ctx.Response.WriteAsync($"render {n} for '{ctx.Request.Headers.AcceptLanguage}'");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        const int Clients = 20;
        var requests = Enumerable.Range(0, Clients)
            .Select(i => proxy.SendAsync(HttpMethod.Get, "/me", ("Accept-Language", $"lang-{i}")))
            .ToArray();
        await Eventually.TrueAsync(
            () => origin.Count("/me") >= 1 && proxy.Get<MissCoalescer>().Joined >= Clients - 1,
            "the fill reached the origin and every other request waits on it");
        release.SetResult();
        var responses = await Task.WhenAll(requests);

        var bodies = new List<string>();
        for (var i = 0; i < Clients; i++)
        {
            using var response = responses[i];
            var body = await response.Content.ReadAsStringAsync();
            Assert.EndsWith($" for 'lang-{i}'", body, StringComparison.Ordinal);  // its own render, with its own header
            bodies.Add(body);
        }

        Assert.Equal(Clients, bodies.Distinct().Count());
        Assert.Equal(Clients + 1, origin.Count("/me"));                          // the fill, then one render per client
        Assert.Equal(Clients - 1, responses.Count(r => ProxyHost.Header(r, "Cache-Status")!.Contains("collapsed", StringComparison.Ordinal)));
        Assert.All(responses, r => Assert.DoesNotContain("stored", ProxyHost.Header(r, "Cache-Status")!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WhileTheUrlIsHitForPass_RequestsGoToTheOriginUncoalesced_UntilAnAnswerCanBeStored()
    {
        var storable = false;
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gated = false;
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", async (ctx, n) =>
        {
            if (Volatile.Read(ref gated))
            {
                await gate.Task;
            }

            ctx.Response.Headers.CacheControl = Volatile.Read(ref storable) ? "s-maxage=60" : "no-store";
            await ctx.Response.WriteAsync($"v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        var first = await proxy.FetchAsync("/p");
        Assert.Equal(("MISS", "v2"), first);                                     // the fill (v1) is nobody's answer

        // Five at once: each reaches the origin on its own. Were they coalesced, only one would, and the gate would
        // never open.
        Volatile.Write(ref gated, true);
        var before = origin.Count("/p");
        var concurrent = Enumerable.Range(0, 5).Select(_ => proxy.SendAsync(HttpMethod.Get, "/p")).ToArray();
        await Eventually.TrueAsync(() => origin.Count("/p") == before + 5, "five requests reached the origin at once");
        gate.SetResult();
        foreach (var response in await Task.WhenAll(concurrent))
        {
            using (response)
            {
                Assert.Equal("BYPASS", ProxyHost.CacheClassOf(response));
                Assert.Equal("IsrProxy; fwd=bypass; detail=hit-for-pass", ProxyHost.Header(response, "Cache-Status"));
            }
        }

        Volatile.Write(ref storable, true);
        Assert.Equal("BYPASS", (await proxy.FetchAsync("/p")).Cache);          // a storable answer ends it...
        var filled = await proxy.FetchAsync("/p");
        Assert.Equal("MISS", filled.Cache);                                      // ...so the next request fills the cache
        Assert.Equal(("HIT", filled.Body), await proxy.FetchAsync("/p"));
    }

    [Fact]
    public async Task HitForPass_EndsAfterItsTime_AndWithAPurgeOfThePath()
    {
        var time = new ManualTimeProvider();
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Control", "private")));
        await using var proxy = await ProxyHost.StartAsync(
            origin,
            time: time,
            settings: new Dictionary<string, string?> { ["Isr:Proxy:HitForPassSeconds"] = "30", ["Isr:Secret"] = Secret });

        Assert.Equal("MISS", (await proxy.FetchAsync("/p")).Cache);
        Assert.Equal("BYPASS", (await proxy.FetchAsync("/p")).Cache);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("BYPASS", (await proxy.FetchAsync("/p")).Cache);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("MISS", (await proxy.FetchAsync("/p")).Cache);              // past its time: a fill again
        Assert.Equal("BYPASS", (await proxy.FetchAsync("/p")).Cache);

        time.Advance(TimeSpan.FromSeconds(1));
        using (var purge = await proxy.SendAsync(HttpMethod.Post, "/_revalidate/path/p", ("X-Isr-Secret", Secret)))
        {
            Assert.True(purge.IsSuccessStatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("MISS", (await proxy.FetchAsync("/p")).Cache);              // the purge ended it
    }

    [Fact]
    public async Task HitForPassOff_EveryMissFillsAgain_AndStillSharesNothing()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/p", ("Cache-Control", "no-store")));
        await using var proxy = await ProxyHost.StartAsync(origin, settings: new Dictionary<string, string?> { ["Isr:Proxy:HitForPassSeconds"] = "0" });

        Assert.Equal(("MISS", "/p v2"), await proxy.FetchAsync("/p"));
        Assert.Equal(("MISS", "/p v4"), await proxy.FetchAsync("/p"));
        Assert.Equal(0, proxy.Get<ICacheStore>().Count);
    }

    [Theory]
    [InlineData("X-Forwarded-For")]
    [InlineData("Authorization")]
    public async Task AnAnswerVaryingOnAHeaderNoFillSends_IsNotStored(string varyOn)
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/ip", (ctx, n) =>
        {
            ctx.Response.Headers.Vary = varyOn;
            ctx.Response.Headers.CacheControl = "s-maxage=60";
            return ctx.Response.WriteAsync($"for {ctx.Request.Headers["X-Forwarded-For"]} v{n}");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var first = await proxy.SendAsync(HttpMethod.Get, "/ip");
        var second = await proxy.FetchAsync("/ip");

        Assert.Equal("IsrProxy; fwd=uri-miss; detail=vary-unkeyed", ProxyHost.Header(first, "Cache-Status"));
        Assert.Equal("for 127.0.0.1 v2", await first.Content.ReadAsStringAsync());   // the client's own address
        Assert.Equal(("BYPASS", "for 127.0.0.1 v3"), second);
    }

    [Fact]
    public async Task PathWithoutARule_IsStoredOnlyWithExplicitFreshness()
    {
        await using var origin = await OriginServer.StartAsync(o => o
            .Versioned("/api/hook")
            .Versioned("/api/smaxage", ("Cache-Control", "public, s-maxage=60"))
            .Versioned("/api/maxage", ("Cache-Control", "max-age=60"))
            .Versioned("/api/expires", ("Expires", "Thu, 01 Jan 2099 00:00:00 GMT"))
            .Versioned("/api/targeted", ("CDN-Cache-Control", "max-age=60")));
        await using var proxy = await ProxyHost.StartAsync(origin, "[]");

        using var first = await proxy.SendAsync(HttpMethod.Get, "/api/hook");
        Assert.Equal("IsrProxy; fwd=uri-miss; detail=no-freshness", ProxyHost.Header(first, "Cache-Status"));
        Assert.Equal(("BYPASS", "/api/hook v3"), await proxy.FetchAsync("/api/hook"));
        Assert.Equal(("BYPASS", "/api/hook v4"), await proxy.FetchAsync("/api/hook"));   // rendered on every request

        foreach (var path in new[] { "/api/smaxage", "/api/maxage", "/api/expires", "/api/targeted" })
        {
            Assert.Equal(("MISS", $"{path} v1"), await proxy.FetchAsync(path));
            Assert.Equal(("HIT", $"{path} v1"), await proxy.FetchAsync(path));
        }
    }

    [Fact]
    public async Task AnExplicitRule_KeepsCachingAnswersWithoutFreshness()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/api/hook"));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**" }]""");

        Assert.Equal(("MISS", "/api/hook v1"), await proxy.FetchAsync("/api/hook"));
        Assert.Equal(("HIT", "/api/hook v1"), await proxy.FetchAsync("/api/hook"));
    }
}
