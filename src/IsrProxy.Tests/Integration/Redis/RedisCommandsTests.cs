using System.Text;
using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisCommandsTests(RedisServerFixture redis)
{
    private readonly string _prefix = RedisServerFixture.UniquePrefix();

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        await using var connection = await redis.ConnectAsync();
        Assert.Null(await connection.GetAsync(_prefix + "missing", CancellationToken.None));
    }

    [Fact]
    public async Task Set_ThenGet_ReturnsSameBytes()
    {
        await using var connection = await redis.ConnectAsync();
        var value = new byte[] { 0, 1, 2, 255, 13, 10 };
        Assert.True(await connection.SetAsync(_prefix + "k", value, null, RedisSetCondition.Always, CancellationToken.None));
        Assert.Equal(value, await connection.GetAsync(_prefix + "k", CancellationToken.None));
    }

    [Fact]
    public async Task Set_WithExpiry_SetsPxTtl()
    {
        await using var connection = await redis.ConnectAsync();
        await connection.SetAsync(_prefix + "ttl", "v"u8.ToArray(), TimeSpan.FromSeconds(100), RedisSetCondition.Always, CancellationToken.None);
        var ttl = (await connection.ExecuteAsync(new RedisCommand("PTTL", _prefix + "ttl"), CancellationToken.None)).AsInt64();
        Assert.InRange(ttl, 1, 100_000);
    }

    [Fact]
    public async Task Set_IfNotExists_OnlyFirstWins()
    {
        await using var connection = await redis.ConnectAsync();
        Assert.True(await connection.SetAsync(_prefix + "nx", "a"u8.ToArray(), null, RedisSetCondition.IfNotExists, CancellationToken.None));
        Assert.False(await connection.SetAsync(_prefix + "nx", "b"u8.ToArray(), null, RedisSetCondition.IfNotExists, CancellationToken.None));
        Assert.Equal("a"u8.ToArray(), await connection.GetAsync(_prefix + "nx", CancellationToken.None));
    }

    [Fact]
    public async Task Set_IfExists_OnlyWhenPresent()
    {
        await using var connection = await redis.ConnectAsync();
        Assert.False(await connection.SetAsync(_prefix + "xx", "a"u8.ToArray(), null, RedisSetCondition.IfExists, CancellationToken.None));
        Assert.Null(await connection.GetAsync(_prefix + "xx", CancellationToken.None));
        await connection.SetAsync(_prefix + "xx", "a"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        Assert.True(await connection.SetAsync(_prefix + "xx", "b"u8.ToArray(), TimeSpan.FromMinutes(1), RedisSetCondition.IfExists, CancellationToken.None));
        Assert.Equal("b"u8.ToArray(), await connection.GetAsync(_prefix + "xx", CancellationToken.None));
    }

    [Fact]
    public async Task Del_CountsExistingKeys()
    {
        await using var connection = await redis.ConnectAsync();
        await connection.SetAsync(_prefix + "d1", "1"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        await connection.SetAsync(_prefix + "d2", "2"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        await connection.SetAsync(_prefix + "d3", "3"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        Assert.Equal(1, await connection.DelAsync(_prefix + "d1", CancellationToken.None));
        Assert.Equal(2, await connection.DelAsync([_prefix + "d1", _prefix + "d2", _prefix + "d3"], CancellationToken.None));
        Assert.Null(await connection.GetAsync(_prefix + "d3", CancellationToken.None));
    }

    [Fact]
    public async Task ExpireAndPExpire_SetTtlOrReportMissingKey()
    {
        await using var connection = await redis.ConnectAsync();
        await connection.SetAsync(_prefix + "e", "1"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        Assert.True(await connection.ExpireAsync(_prefix + "e", 50, CancellationToken.None));
        Assert.InRange((await connection.ExecuteAsync(new RedisCommand("TTL", _prefix + "e"), CancellationToken.None)).AsInt64(), 1, 50);
        Assert.True(await connection.PExpireAsync(_prefix + "e", 5_000_000, CancellationToken.None));
        Assert.InRange((await connection.ExecuteAsync(new RedisCommand("PTTL", _prefix + "e"), CancellationToken.None)).AsInt64(), 50_001, 5_000_000);
        Assert.False(await connection.ExpireAsync(_prefix + "none", 5, CancellationToken.None));
        Assert.False(await connection.PExpireAsync(_prefix + "none", 5, CancellationToken.None));
    }

    [Fact]
    public async Task SetCommands_AddRemoveAndList()
    {
        await using var connection = await redis.ConnectAsync();
        var key = _prefix + "set";
        Assert.Equal(3, await connection.SAddAsync(key, ["a", "b", "c"], CancellationToken.None));
        Assert.Equal(1, await connection.SAddAsync(key, ["c", "d"], CancellationToken.None));
        Assert.Equal(2, await connection.SRemAsync(key, ["a", "b", "zz"], CancellationToken.None));
        Assert.Equal(["c", "d"], (await connection.SMembersAsync(key, CancellationToken.None)).Order());
        Assert.Empty(await connection.SMembersAsync(_prefix + "none", CancellationToken.None));
    }

    [Fact]
    public async Task SScan_PagesThroughEveryMember()
    {
        await using var connection = await redis.ConnectAsync();
        var key = _prefix + "big";
        var members = Enumerable.Range(0, 500).Select(i => $"/page/{i}").ToArray();
        await connection.SAddAsync(key, members, CancellationToken.None);

        var seen = new HashSet<string>();
        long cursor = 0;
        var pages = 0;
        do
        {
            var page = await connection.SScanAsync(key, cursor, "/page/*", 50, CancellationToken.None);
            seen.UnionWith(page.Members);
            cursor = page.Cursor;
            pages++;
        }
        while (cursor != 0 && pages < 1000);

        Assert.True(pages > 1);
        Assert.Equal(members.Order(), seen.Order());

        var all = new HashSet<string>();
        await foreach (var member in connection.SScanAllAsync(key, 100, CancellationToken.None))
        {
            all.Add(member);
        }

        Assert.Equal(members.Order(), all.Order());
    }

    [Fact]
    public async Task MGet_ReturnsValuesInKeyOrderWithNullForMissing()
    {
        await using var connection = await redis.ConnectAsync();
        await connection.SetAsync(_prefix + "m1", "one"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        await connection.SetAsync(_prefix + "m3", "three"u8.ToArray(), null, RedisSetCondition.Always, CancellationToken.None);
        var values = await connection.MGetAsync([_prefix + "m1", _prefix + "m2", _prefix + "m3"], CancellationToken.None);
        Assert.Equal(3, values.Count);
        Assert.Equal("one"u8.ToArray(), values[0]);
        Assert.Null(values[1]);
        Assert.Equal("three"u8.ToArray(), values[2]);
    }

    [Fact]
    public async Task HashCommands_SetGetAndGetAll()
    {
        await using var connection = await redis.ConnectAsync();
        var key = _prefix + "h";
        Assert.Equal(1, await connection.HSetAsync(key, "body", "<html>"u8.ToArray(), CancellationToken.None));
        Assert.Equal(0, await connection.HSetAsync(key, "body", "<html/>"u8.ToArray(), CancellationToken.None));
        Assert.Equal(2, await connection.HSetAsync(
            key,
            [new("etag", "\"x\""u8.ToArray()), new("status", "200"u8.ToArray())],
            CancellationToken.None));
        Assert.Equal("<html/>"u8.ToArray(), await connection.HGetAsync(key, "body", CancellationToken.None));
        Assert.Null(await connection.HGetAsync(key, "nope", CancellationToken.None));

        var all = await connection.HGetAllAsync(key, CancellationToken.None);
        Assert.Equal(["body", "etag", "status"], all.Keys.Order());
        Assert.Equal("200", Encoding.UTF8.GetString(all["status"]));
        Assert.Empty(await connection.HGetAllAsync(_prefix + "none", CancellationToken.None));
    }

    [Fact]
    public async Task HMGet_ReturnsValuesInFieldOrderWithNullForMissing()
    {
        await using var connection = await redis.ConnectAsync();
        var key = _prefix + "hm";
        await connection.HSetAsync(key, [new("a", "1"u8.ToArray()), new("c", "3"u8.ToArray())], CancellationToken.None);

        var values = await connection.HMGetAsync(key, ["a", "b", "c"], CancellationToken.None);
        var none = await connection.HMGetAsync(_prefix + "none", ["a"], CancellationToken.None);

        Assert.Equal(["1"u8.ToArray(), null, "3"u8.ToArray()], values);
        Assert.Null(Assert.Single(none));
    }

    [Fact]
    public async Task HScanAndHDel_PageThroughEveryFieldAndDeleteSome()
    {
        await using var connection = await redis.ConnectAsync();
        var key = _prefix + "hs";
        var fields = Enumerable.Range(0, 1000).Select(i => new KeyValuePair<string, ReadOnlyMemory<byte>>($"f{i}", Encoding.UTF8.GetBytes($"v{i}"))).ToArray();
        await connection.HSetAsync(key, fields, CancellationToken.None);

        var seen = new Dictionary<string, string>();
        long cursor = 0;
        var pages = 0;
        do
        {
            var page = await connection.HScanAsync(key, cursor, 50, CancellationToken.None);
            foreach (var (field, value) in page.Fields)
            {
                seen[field] = Encoding.UTF8.GetString(value);
            }

            cursor = page.Cursor;
            pages++;
        }
        while (cursor != 0 && pages < 1000);

        Assert.True(pages > 1);
        Assert.Equal(1000, seen.Count);                                        // more than a listpack holds, so HSCAN pages
        Assert.Equal("v42", seen["f42"]);
        Assert.Equal(2, await connection.HDelAsync(key, ["f1", "f2", "missing"], CancellationToken.None));
        Assert.Null(await connection.HGetAsync(key, "f1", CancellationToken.None));
    }

    [Fact]
    public async Task ZRangeByLex_ReturnsMembersInByteOrderWithinBoundsAndLimit()
    {
        await using var connection = await redis.ConnectAsync();
        var key = _prefix + "z";
        foreach (var member in new[] { "/blog/b", "/about", "/blog/a", "/blogroll", "/c" })
        {
            await connection.ExecuteAsync(new RedisCommand("ZADD", key, 0L, member), CancellationToken.None);
        }

        var blog = await connection.ZRangeByLexAsync(key, "[/blog/"u8.ToArray(), (byte[])[.. "[/blog/"u8, 0xFF], 10, CancellationToken.None);
        var firstTwo = await connection.ZRangeByLexAsync(key, "-"u8.ToArray(), "+"u8.ToArray(), 2, CancellationToken.None);

        Assert.Equal(["/blog/a", "/blog/b"], blog);
        Assert.Equal(["/about", "/blog/a"], firstTwo);
        Assert.Equal(1, await connection.ZRemAsync(key, ["/about", "/none"], CancellationToken.None));
        Assert.Equal(["/blog/a", "/blog/b", "/blogroll", "/c"], await connection.ZRangeByLexAsync(key, "-"u8.ToArray(), "+"u8.ToArray(), 10, CancellationToken.None));
    }

    [Fact]
    public async Task Publish_WithoutSubscribers_ReachesNobody()
    {
        await using var connection = await redis.ConnectAsync();
        Assert.Equal(0, await connection.PublishAsync(_prefix + "chan", "x"u8.ToArray(), CancellationToken.None));
    }

    [Fact]
    public async Task Ping_ReturnsRoundTrip()
    {
        await using var connection = await redis.ConnectAsync();
        Assert.True(await connection.PingAsync(TimeProvider.System, CancellationToken.None) > TimeSpan.Zero);
    }

    [Fact]
    public async Task EvalSha_UnknownScript_FailsWithNoScript()
    {
        await using var connection = await redis.ConnectAsync();
        var error = await Assert.ThrowsAsync<RedisServerException>(
            () => connection.EvalShaAsync(new string('0', 40), [], [], CancellationToken.None));
        Assert.Equal("NOSCRIPT", error.ErrorCode);
    }

    [Fact]
    public async Task Evaluate_AfterScriptFlush_FallsBackToEvalAndThenUsesEvalSha()
    {
        await using var connection = await redis.ConnectAsync();
        var script = new RedisScript("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[2], ARGV[2])");
        var keys = new RedisArg[] { _prefix + "s1", _prefix + "s2" };
        await connection.ExecuteAsync(new RedisCommand("SCRIPT", "FLUSH"), CancellationToken.None);

        var first = await connection.EvaluateAsync(script, keys, ["v", 5L], CancellationToken.None);
        Assert.Equal(5, first.AsInt64());
        Assert.Equal(1, script.Reloads);

        var exists = await connection.ExecuteAsync(new RedisCommand("SCRIPT", "EXISTS", script.Sha1), CancellationToken.None);
        Assert.Equal(1, exists.Items[0].AsInt64());

        var second = await connection.EvaluateAsync(script, keys, ["w", 2L], CancellationToken.None);
        Assert.Equal(7, second.AsInt64());
        Assert.Equal(1, script.Reloads);
        Assert.Equal("w"u8.ToArray(), await connection.GetAsync(_prefix + "s1", CancellationToken.None));
    }
}
