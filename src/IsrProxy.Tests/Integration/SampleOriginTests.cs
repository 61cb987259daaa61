using System.Net;
using System.Text.RegularExpressions;
using IsrProxy.Observability;
using IsrProxy.Revalidation;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>The sample site of <c>samples/SampleOrigin</c> behind the real proxy: what the README's tour shows.</summary>
public sealed partial class SampleOriginTests
{
    private const string Secret = "sample-purge-secret";
    private static readonly Dictionary<string, string?> WithSecret = new() { ["Isr:Secret"] = Secret };
    private readonly ManualTimeProvider _time = new();

    private static async Task<(string Cache, int Render)> FetchRenderAsync(ProxyHost proxy, string path)
    {
        var (cache, body) = await proxy.FetchAsync(path);
        return (cache, SampleOriginHost.RenderOf(body));
    }

    private static async Task PurgeAsync(ProxyHost proxy, string pathAndQuery)
    {
        using var response = await proxy.SendAsync(HttpMethod.Post, pathAndQuery, ("Authorization", "Bearer " + Secret));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Product_PastItsSMaxAge_IsServedStale_ThenTheRegeneratedRender()
    {
        await using var site = await SampleOriginHost.StartAsync("--Sample:ProductSeconds=10");
        await using var proxy = await ProxyHost.StartAsync(site.BaseAddress, time: _time);

        Assert.Equal(("MISS", 1), await FetchRenderAsync(proxy, "/products/1"));
        Assert.Equal(("HIT", 1), await FetchRenderAsync(proxy, "/products/1"));
        _time.Advance(TimeSpan.FromSeconds(11));                              // past the page's own s-maxage=10

        Assert.Equal(("STALE", 1), await FetchRenderAsync(proxy, "/products/1"));
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 1, "the product page was regenerated");
        Assert.Equal(("HIT", 2), await FetchRenderAsync(proxy, "/products/1"));
    }

    [Fact]
    public async Task Product_CacheTagPurge_MarksThatProductStale_AndNoOther()
    {
        // The system clock: a purge marks stale what started rendering up to that instant, and a clock that never
        // moves would leave the regeneration started in that same instant stale too.
        await using var site = await SampleOriginHost.StartAsync("--Sample:ProductSeconds=3600");
        await using var proxy = await ProxyHost.StartAsync(site.BaseAddress, settings: WithSecret);
        await proxy.FetchAsync("/products/1");
        await proxy.FetchAsync("/products/2");

        await PurgeAsync(proxy, "/_revalidate/tag/product-1");

        Assert.Equal(("STALE", 1), await FetchRenderAsync(proxy, "/products/1"));
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 1, "the purged page was regenerated");
        Assert.Equal(("HIT", 2), await FetchRenderAsync(proxy, "/products/1"));
        Assert.Equal(("HIT", 1), await FetchRenderAsync(proxy, "/products/2"));
    }

    [Fact]
    public async Task CollectionPurge_Expire_ReachesEveryProduct_AndNotTheBlog()
    {
        await using var site = await SampleOriginHost.StartAsync("--Sample:ProductSeconds=3600");
        await using var proxy = await ProxyHost.StartAsync(site.BaseAddress, settings: WithSecret);
        foreach (var path in new[] { "/products/1", "/products/2", "/blog/hello-world" })
        {
            await proxy.FetchAsync(path);
        }

        await PurgeAsync(proxy, "/_revalidate/tag/collection?mode=expire");

        Assert.Equal(("MISS", 2), await FetchRenderAsync(proxy, "/products/1"));
        Assert.Equal(("MISS", 2), await FetchRenderAsync(proxy, "/products/2"));
        Assert.Equal(("HIT", 1), await FetchRenderAsync(proxy, "/blog/hello-world"));
    }

    [Fact]
    public async Task SlowPage_ConcurrentRequests_ShareOneBoundedRender()
    {
        await using var site = await SampleOriginHost.StartAsync("--Sample:MaxSlowMs=300");
        await using var proxy = await ProxyHost.StartAsync(site.BaseAddress, time: _time);

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => proxy.FetchAsync("/slow?ms=60000")));

        Assert.All(answers, a => Assert.Contains("took 300 ms to render (asked for 60000 ms", a.Body, StringComparison.Ordinal));
        Assert.All(answers, a => Assert.Equal(1, SampleOriginHost.RenderOf(a.Body)));   // one origin render for all five
        Assert.Equal(("HIT", 1), await FetchRenderAsync(proxy, "/slow?ms=60000"));
    }

    [Fact]
    public async Task FlakyPage_WhileTheOriginFails_TheLastGoodRenderIsServed_ThenReplacedOnceItRecovers()
    {
        await using var site = await SampleOriginHost.StartAsync("--Sample:FlakySeconds=5");
        await using var proxy = await ProxyHost.StartAsync(site.BaseAddress, time: _time, settings: new Dictionary<string, string?> { ["Isr:Regeneration:BackoffSeconds"] = "10" });
        Assert.Equal(("MISS", 1), await FetchRenderAsync(proxy, "/flaky"));

        await site.SetFailingAsync(true);
        _time.Advance(TimeSpan.FromSeconds(6));
        using (var stale = await proxy.SendAsync(HttpMethod.Get, "/flaky"))
        {
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal("STALE", ProxyHost.CacheClassOf(stale));
            Assert.Equal(1, SampleOriginHost.RenderOf(await stale.Content.ReadAsStringAsync()));
        }

        // Done, not just counted: the retry time is set and logged after the count, and the key leaves the queue last.
        await Eventually.TrueAsync(
            () => proxy.Logs.Records.Any(r => r.EventId.Id == EventIds.RegenerationFailed) && proxy.Get<RegenerationQueue>().Pending == 0,
            "the regeneration against the failing page failed");
        Assert.Equal(1, proxy.Get<RegenerationWorker>().Failed);
        Assert.Equal(("STALE", 1), await FetchRenderAsync(proxy, "/flaky"));

        await site.SetFailingAsync(false);
        _time.Advance(TimeSpan.FromSeconds(11));                              // past the retry backoff
        Assert.Equal(("STALE", 1), await FetchRenderAsync(proxy, "/flaky"));
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 1, "the recovered page was regenerated");
        Assert.Equal(("HIT", 2), await FetchRenderAsync(proxy, "/flaky"));  // a failed answer is no render
    }

    [Fact]
    public async Task IndexPage_EveryLinkedPage_AnswersThroughTheProxy()
    {
        await using var site = await SampleOriginHost.StartAsync("--Sample:MaxSlowMs=10");
        await using var proxy = await ProxyHost.StartAsync(site.BaseAddress, time: _time);

        var (_, index) = await proxy.FetchAsync("/");
        var links = Link().Matches(index).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Where(href => href != "/").ToList();

        Assert.Equal(["/products/1", "/products/2", "/blog/hello-world", "/slow?ms=2000", "/flaky", "/api/now"], links);
        foreach (var link in links)
        {
            using var response = await proxy.SendAsync(HttpMethod.Get, link);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{link} answered {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task ApiNow_NoStore_IsNeverStored()
    {
        await using var site = await SampleOriginHost.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(site.BaseAddress, time: _time);

        using var first = await proxy.SendAsync(HttpMethod.Get, "/api/now");
        using var second = await proxy.SendAsync(HttpMethod.Get, "/api/now");

        Assert.Contains("detail=no-store", ProxyHost.Header(first, "Cache-Status"), StringComparison.Ordinal);
        Assert.Equal("BYPASS", ProxyHost.CacheClassOf(second));
        Assert.Contains("detail=hit-for-pass", ProxyHost.Header(second, "Cache-Status"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/_sample/fail?on=maybe", "on: 'maybe' is not true or false.")]
    [InlineData("/_sample/fail", "on: '' is not true or false.")]
    public async Task FailSwitch_BadValue_IsRejectedNamingTheValue(string pathAndQuery, string message)
    {
        await using var site = await SampleOriginHost.StartAsync();

        using var response = await site.Client.PostAsync(pathAndQuery, content: null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("""{"failing":false}""", await site.Client.GetStringAsync("/_sample/fail"));
    }

    [Fact]
    public async Task SlowPage_BadMilliseconds_IsRejectedNamingTheValue()
    {
        await using var site = await SampleOriginHost.StartAsync();

        using var response = await site.Client.GetAsync("/slow?ms=soon");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ms: 'soon' is not a whole number of milliseconds.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_InvalidSampleSetting_StopsWithTheKeyAndValue()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SampleOriginHost.StartAsync("--Sample:ProductSeconds=0"));

        Assert.Contains("Sample:ProductSeconds: '0' is not a positive number of seconds.", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex("<a href=\"([^\"]+)\">")]
    private static partial Regex Link();
}
