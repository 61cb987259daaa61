using System.Net;
using System.Text.Json;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>Redis mode seen by operators: its metrics, and readiness turning degraded while Redis is down.</summary>
[Collection(TestCollections.ProductMeters)]
public sealed class RedisObservabilityTests(RedisServerFixture redis)
{
    [Fact]
    public async Task RedisMetricsAndReadiness_FollowRedisGoingDownAndComingBack()
    {
        await using var server = await redis.StartServerAsync();
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(
            origin, settings: ProxyHost.RedisSettings(server.ConnectionString, RedisServerFixture.UniquePrefix()));
        await proxy.WaitUntilSynchronisedAsync();
        await proxy.FetchAsync("/a");
        Assert.Equal("HIT", (await proxy.FetchAsync("/a")).Cache);

        var up = await ScrapeAsync(proxy);
        Assert.True(up.Value("isr_l1_hits_total") >= 1);
        Assert.Equal(1, up.Value("isr_redis_connected"));
        Assert.NotEmpty(up.Find("isr_redis_errors_total"));
        Assert.NotEmpty(up.Find("isr_redis_reads_total"));
        await Eventually.TrueAsync(async () => await StatusAsync(proxy) == "ready", "readiness saw Redis and the origin up");

        await server.StopAsync();
        await Eventually.TrueAsync(async () => await StatusAsync(proxy) == "degraded", "readiness saw Redis down");
        await Eventually.TrueAsync(async () => (await ScrapeAsync(proxy)).Value("isr_redis_connected") == 0, "the gauge saw Redis down");
        Assert.Equal("HIT", (await proxy.FetchAsync("/a")).Cache);                // still served from L1

        await server.StartAsync();
        await Eventually.TrueAsync(async () => await StatusAsync(proxy) == "ready", "readiness saw Redis back");
        await Eventually.TrueAsync(async () => (await ScrapeAsync(proxy)).Value("isr_redis_reconnects_total") >= 1, "the reconnect was counted");
    }

    private static async Task<PrometheusExposition> ScrapeAsync(ProxyHost proxy)
    {
        using var response = await proxy.SendAsync(HttpMethod.Get, "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return PrometheusTextParser.Parse(await response.Content.ReadAsStringAsync());
    }

    private static async Task<string?> StatusAsync(ProxyHost proxy)
    {
        using var response = await proxy.SendAsync(HttpMethod.Get, "/readyz");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
    }
}
