using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using IsrProxy.Observability;
using IsrProxy.Redis;
using IsrProxy.Storage.Redis;
using IsrProxy.Tests.Fixtures;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Tests.Integration.RedisMode;

/// <summary>
/// Redis failing under the proxy (SPEC §5): no 5xx because of the store, L1 and the origin keep serving, a warning is
/// logged, and everything comes back by itself. Each test runs its own redis-server so it can kill it.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisOutageTests(RedisServerFixture redis)
{
    private readonly string _prefix = RedisServerFixture.UniquePrefix();

    [Fact]
    public async Task RedisKilledMidTraffic_NoServerErrors_ThenRecoversWithoutRestart()
    {
        await using var server = await redis.StartServerAsync();
        await using var origin = await OriginServer.StartAsync();
        await using var a = await ReplicaTests.StartOnAsync(origin, server.ConnectionString, _prefix);
        await using var b = await ReplicaTests.StartOnAsync(origin, server.ConnectionString, _prefix);
        for (var i = 0; i < 10; i++)
        {
            await a.FetchAsync($"/p/{i}");
        }

        using var stop = new CancellationTokenSource();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var traffic = Task.Run(async () =>
        {
            for (var n = 0; n < 100_000 && !stop.IsCancellationRequested; n++)
            {
                using var response = await a.SendAsync(HttpMethod.Get, $"/p/{n % 10}");
                statuses.Add(response.StatusCode);
            }
        });
        await Eventually.TrueAsync(() => statuses.Count > 50, "traffic flows");

        await server.StopAsync();
        await Eventually.TrueAsync(
            () => a.Logs.Records.Any(r => r.EventId.Id == EventIds.StoreUnavailable && r.Level == LogLevel.Warning),
            "a warning says Redis is unavailable");
        var duringOutage = statuses.Count;
        await Eventually.TrueAsync(() => statuses.Count > duringOutage + 50, "traffic flows while Redis is down");
        Assert.Equal(("HIT", "/p/3 v1"), await a.FetchAsync("/p/3"));             // from L1
        Assert.Equal(("MISS", "/new v1"), await a.FetchAsync("/new"));             // passed through to the origin
        await stop.CancelAsync();
        await Eventually.WithinAsync(traffic, "the traffic loop ends");
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));

        await server.StartAsync();                                                   // empty: persistence is off
        await a.WaitUntilSynchronisedAsync();
        await b.WaitUntilSynchronisedAsync();
        await using var raw = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        await Eventually.TrueAsync(
            async () => (await a.FetchAsync("/after")).Body == "/after v1" && await raw.HGetAsync(_prefix + "e:/after", "r", default) is not null,
            "new entries are stored in Redis again");
        Assert.Equal(("HIT", "/after v1"), await b.FetchAsync("/after"));

        using var purge = await ReplicaTests.PurgeAsync(a, "/_revalidate/path/after");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        await Eventually.TrueAsync(async () => (await b.FetchAsync("/after")).Cache == "STALE", "purges reach B again");
    }

    [Fact]
    public async Task PurgeWhileRedisIsDown_Answers202_AndReachesTheOtherReplicaOnceRedisIsBack()
    {
        await using var server = await redis.StartServerAsync();
        await using var origin = await OriginServer.StartAsync();
        await using var a = await ReplicaTests.StartOnAsync(origin, server.ConnectionString, _prefix);
        await using var b = await ReplicaTests.StartOnAsync(origin, server.ConnectionString, _prefix);
        await a.FetchAsync("/blog/a");
        Assert.Equal(("HIT", "/blog/a v1"), await b.FetchAsync("/blog/a"));

        await server.StopAsync();
        await Eventually.TrueAsync(() => !a.Get<RedisBackplane>().IsSynchronised, "A noticed the loss");
        using var purge = await ReplicaTests.PurgeAsync(a, "/_revalidate/path/blog/a");

        Assert.Equal(HttpStatusCode.Accepted, purge.StatusCode);
        Assert.Equal("STALE", (await a.FetchAsync("/blog/a")).Cache);                // in effect here at once
        Assert.Contains(a.Logs.Records, r => r.EventId.Id == EventIds.PurgeNotPropagated);

        await server.StartAsync();
        await a.WaitUntilSynchronisedAsync();
        await b.WaitUntilSynchronisedAsync();
        await using var raw = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        await Eventually.TrueAsync(async () => await raw.HGetAsync(_prefix + "clock", "p|/blog/a", default) is not null, "the purge is written once Redis is back");
        await Eventually.TrueAsync(() => b.Get<Storage.TagClock>().Get("p|/blog/a").StaleAt is not null, "B's clock has the purge");
    }

    [Fact]
    public async Task SubscriptionLost_ReplicaReadsRedis_SoAPurgeInTheGapIsNotMissed()
    {
        await using var server = await redis.StartServerAsync();
        await using var origin = await OriginServer.StartAsync();
        await using var a = await ReplicaTests.StartOnAsync(origin, server.ConnectionString, _prefix);
        await using var b = await ReplicaTests.StartOnAsync(origin, server.ConnectionString + ",name=replica-b", _prefix);
        await a.FetchAsync("/blog/a");
        Assert.Equal(("HIT", "/blog/a v1"), await b.FetchAsync("/blog/a"));
        Assert.Equal(("HIT", "/blog/a v1"), await b.FetchAsync("/blog/a"));      // from B's L1

        // B's subscriber is dropped and cannot come back: the server takes no more clients.
        await using var raw = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        var connected = await ConnectedClientsAsync(raw);
        await raw.ExecuteAsync(new RedisCommand("CONFIG", "SET", "maxclients", (connected - 1).ToString(CultureInfo.InvariantCulture)), default);
        await raw.ExecuteAsync(new RedisCommand("CLIENT", "KILL", "ID", await SubscriberIdAsync(raw, "replica-b")), default);
        await Eventually.TrueAsync(() => !b.Get<RedisBackplane>().IsSynchronised, "B noticed it may miss messages");

        using var purge = await ReplicaTests.PurgeAsync(a, "/_revalidate/path/blog/a");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);

        Assert.Equal(("STALE", "/blog/a v1"), await b.FetchAsync("/blog/a"));    // not the L1 copy as fresh
        Assert.NotEqual(RedisConnectionState.Connected, b.Get<RedisBackplane>().SubscriptionState);
        Assert.Contains(b.Logs.Records, r => r.EventId.Id == EventIds.L1Distrusted);

        await raw.ExecuteAsync(new RedisCommand("CONFIG", "SET", "maxclients", "10000"), default);
        await b.WaitUntilSynchronisedAsync();
        await Eventually.TrueAsync(async () => await b.FetchAsync("/blog/a") == ("HIT", "/blog/a v2"), "B regenerated and trusts its L1 again");
        Assert.True(b.Get<Storage.Layered.LayeredCacheStore>().Stats.Resyncs >= 2);
    }

    [Fact]
    public async Task RedisUnreachableAtStartup_ProxyStartsServesFromTheOrigin_AndConnectsWhenRedisAppears()
    {
        var port = RedisServerProcess.FreePort();
        var connectionString = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)},connectTimeout=500";
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin, settings: ProxyHost.RedisSettings(connectionString, _prefix));

        Assert.Equal(("MISS", "/a v1"), await proxy.FetchAsync("/a"));
        Assert.Contains(proxy.Logs.Records, r => r.EventId.Id == EventIds.StoreUnavailable && r.Level == LogLevel.Warning);

        await using var server = await redis.StartServerAsync(port, tls: false);
        await proxy.WaitUntilSynchronisedAsync();
        await Eventually.TrueAsync(async () => (await proxy.FetchAsync("/b")).Cache == "MISS", "the proxy serves with Redis");
        await using var raw = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        await Eventually.TrueAsync(async () => await raw.HGetAsync(_prefix + "e:/b", "r", default) is not null, "entries reach Redis");
    }

    [Fact]
    public async Task RedisUnreachableWithAbortConnect_StopsStartupNamingTheSetting()
    {
        var port = RedisServerProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var origin = await OriginServer.StartAsync();

        var error = await Assert.ThrowsAnyAsync<Exception>(() => ProxyHost.StartAsync(
            origin, settings: ProxyHost.RedisSettings($"127.0.0.1:{port},abortConnect=true,connectTimeout=500", _prefix)));

        var message = Assert.Single(Hosting.StartupErrors.Describe(error));
        Assert.StartsWith($"Isr:Store:Redis: Redis 127.0.0.1:{port}:", message);
        Assert.Contains("abortConnect=true", message);
    }

    private static async Task<long> ConnectedClientsAsync(RedisConnection raw)
    {
        var info = (await raw.ExecuteAsync(new RedisCommand("INFO", "clients"), default)).AsString() ?? string.Empty;
        var line = info.Split('\n').Single(l => l.StartsWith("connected_clients:", StringComparison.Ordinal));
        return long.Parse(line["connected_clients:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    private static async Task<string> SubscriberIdAsync(RedisConnection raw, string name)
    {
        var list = (await raw.ExecuteAsync(new RedisCommand("CLIENT", "LIST", "TYPE", "pubsub"), default)).AsString() ?? string.Empty;
        var line = list.Split('\n').Single(l => l.Contains($" name={name} ", StringComparison.Ordinal));
        return line.Split(' ').Single(f => f.StartsWith("id=", StringComparison.Ordinal))["id=".Length..];
    }
}
