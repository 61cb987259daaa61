using System.Globalization;
using System.Net;
using System.Text;
using IsrProxy.Redis;
using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration.RedisMode;

/// <summary>
/// A Redis configured as deployed (password, <c>maxmemory</c>, <c>volatile-lru</c>) and filled far past its memory:
/// it evicts entries, never the clock hash or a lock, so a purge made before the fill still holds and no request fails.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisEvictionTests(RedisServerFixture redis)
{
    private const string Password = "eviction-test-password";
    private const string Secret = "eviction-purge-secret";
    private const int MaxMemoryBytes = 8 * 1024 * 1024;
    private const int Pages = 4000;
    private const int PageBytes = 4096;
    private readonly string _prefix = RedisServerFixture.UniquePrefix();

    [Fact]
    public async Task FilledFarPastMaxMemory_EvictsEntriesOnly_APurgeStillHolds_AndNothingFails()
    {
        await using var server = await redis.StartServerAsync(
            "--requirepass", Password, "--maxmemory", MaxMemoryBytes.ToString(CultureInfo.InvariantCulture), "--maxmemory-policy", "volatile-lru");
        var connectionString = $"{server.ConnectionString},password={Password}";
        await using var raw = await RedisServerFixture.ConnectAsync(server.ConnectionString, $"password={Password}");
        await using var origin = await OriginServer.StartAsync(o =>
        {
            for (var i = 0; i < Pages; i++)
            {
                var body = RandomText(PageBytes, i);
                o.Route($"/fill/{i}", (ctx, n) =>
                {
                    ctx.Response.ContentType = "text/plain";
                    return ctx.Response.WriteAsync(body);
                });
            }
        });
        await using var a = await StartAsync(origin, connectionString);

        Assert.Equal(("MISS", "/old v1"), await a.FetchAsync("/old"));
        using (var purge = await a.SendAsync(HttpMethod.Post, "/_revalidate/path/old?mode=stale", ("Authorization", "Bearer " + Secret)))
        {
            Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        }

        var clockField = ClockKeys.Path("/old");
        await Eventually.TrueAsync(async () => await raw.HGetAsync(_prefix + "clock", clockField, default) is not null, "the purge reached Redis");

        // The old page as Redis holds it, to put back should the fill evict it (eviction may take any entry).
        var oldPage = (await raw.ExecuteAsync(new RedisCommand("DUMP", _prefix + "e:/old"), default)).AsBytes()!;
        var oldTtl = (await raw.ExecuteAsync(new RedisCommand("PTTL", _prefix + "e:/old"), default)).AsInt64();

        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < Pages)
            {
                using var response = await a.SendAsync(HttpMethod.Get, $"/fill/{i}");
                await response.Content.ReadAsByteArrayAsync();
                statuses.Add(response.StatusCode);
            }
        }));

        Assert.Equal(Pages, statuses.Count);
        Assert.All(statuses, s => Assert.True((int)s < 500, $"the proxy answered {(int)s} while Redis was full"));
        Assert.True(await InfoAsync(raw, "stats", "evicted_keys") > 0, "Redis should have evicted entries");
        Assert.InRange(await InfoAsync(raw, "memory", "used_memory"), 0, MaxMemoryBytes + (MaxMemoryBytes / 4));
        Assert.Equal(-1, (await raw.ExecuteAsync(new RedisCommand("PTTL", _prefix + "clock"), default)).AsInt64());
        Assert.NotNull(await raw.HGetAsync(_prefix + "clock", clockField, default));

        // A replica started after the fill learns the purge from Redis alone: the page rendered before it is stale there.
        await raw.ExecuteAsync(new RedisCommand("RESTORE", _prefix + "e:/old", oldTtl, oldPage, "REPLACE"), default);
        await using var b = await StartAsync(origin, connectionString);
        Assert.Equal(("STALE", "/old v1"), await b.FetchAsync("/old"));
    }

    private async Task<ProxyHost> StartAsync(OriginServer origin, string connectionString)
    {
        var proxy = await ProxyHost.StartAsync(
            origin, settings: ProxyHost.RedisSettings(connectionString, _prefix, new Dictionary<string, string?> { ["Isr:Secret"] = Secret }));
        await proxy.WaitUntilSynchronisedAsync();
        return proxy;
    }

    private static async Task<long> InfoAsync(RedisConnection connection, string section, string field)
    {
        var info = (await connection.ExecuteAsync(new RedisCommand("INFO", section), default)).AsString() ?? string.Empty;
        var line = info.Split("\r\n").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static string RandomText(int bytes, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(bytes);
        while (text.Length < bytes)
        {
            text.Append((char)('a' + random.Next(26)));
        }

        return text.ToString();
    }
}
