using System.Net;
using System.Text;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration.RedisMode;

/// <summary>Next.js page tags in Redis mode: the registry is per replica, the tags of entries rendered since are shared.</summary>
[Collection(RedisCollection.Name)]
public sealed class NextJsReplicaTests(RedisServerFixture redis)
{
    private const string Secret = "next-replica-secret";
    private readonly string _prefix = RedisServerFixture.UniquePrefix();

    [Fact]
    public async Task TagsRegisteredOnA_ReachEntriesRenderedSince_WhenBIsPurged()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var a = await StartAsync(origin);
        await using var b = await StartAsync(origin);

        using (var tags = await PostAsync(a, "/_revalidate/next/tags", """{"pages":[{"path":"/blog/a","tags":["posts"]}]}"""))
        {
            Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
        }

        Assert.Equal(("MISS", "/blog/a v1"), await a.FetchAsync("/blog/a"));          // rendered on A after the tags
        Assert.Equal(("HIT", "/blog/a v1"), await b.FetchAsync("/blog/a"));

        using (var purge = await PostAsync(b, "/_revalidate/tag/posts"))               // B never saw the registration
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        await Eventually.TrueAsync(async () => (await a.FetchAsync("/blog/a")).Cache == "STALE", "the purge on B reached the entry on A");
    }

    private async Task<ProxyHost> StartAsync(OriginServer origin)
    {
        var proxy = await ProxyHost.StartAsync(origin, settings: ProxyHost.RedisSettings(redis.ConnectionString, _prefix, new Dictionary<string, string?>
        {
            ["Isr:Secret"] = Secret,
            ["Isr:NextJs:Enabled"] = "true",
        }));
        await proxy.WaitUntilSynchronisedAsync();
        return proxy;
    }

    private static Task<HttpResponseMessage> PostAsync(ProxyHost proxy, string path, string? json = null)
        => proxy.PostWithSecretAsync(path, Secret, json);
}
