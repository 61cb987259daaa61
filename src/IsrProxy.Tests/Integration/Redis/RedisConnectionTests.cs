using System.Globalization;
using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisConnectionTests(RedisServerFixture redis)
{
    /// <summary>
    /// How long CLIENT PAUSE holds the server where a test needs commands to be unanswered: long past the test's next
    /// few statements even when a loaded machine stalls it (a pause cannot be ended early: CLIENT UNPAUSE waits too).
    /// </summary>
    private const long PauseMs = 3000;

    private readonly string _prefix = RedisServerFixture.UniquePrefix();

    [Fact]
    public async Task ExecuteAsync_ThousandConcurrentEchoes_EachGetsItsOwnReply()
    {
        await using var connection = await redis.ConnectAsync();
        var tasks = Enumerable.Range(0, 1000)
            .Select(async i => (i, (await connection.ExecuteAsync(new RedisCommand("ECHO", $"{_prefix}{i}"), CancellationToken.None)).AsString()))
            .ToArray();
        foreach (var (i, reply) in await Task.WhenAll(tasks))
        {
            Assert.Equal($"{_prefix}{i}", reply);
        }

        Assert.Equal(0, connection.InFlight);
    }

    [Fact]
    public async Task ExecuteAsync_ThousandConcurrentSetsThenGets_EachKeyHoldsItsValue()
    {
        await using var connection = await redis.ConnectAsync();
        await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            connection.SetAsync($"{_prefix}{i}", BitConverter.GetBytes(i * 7), TimeSpan.FromMinutes(1), RedisSetCondition.Always, CancellationToken.None)));
        var values = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => connection.GetAsync($"{_prefix}{i}", CancellationToken.None)));
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(i * 7, BitConverter.ToInt32(values[i]));
        }
    }

    [Theory]
    [InlineData(10)]
    [InlineData(20)]
    public async Task SetAndGet_MultiMegabyteValue_RoundTrips(int megabytes)
    {
        await using var connection = await redis.ConnectAsync("syncTimeout=20000");
        var value = new byte[megabytes * 1024 * 1024];
        new Random(megabytes).NextBytes(value);
        await connection.SetAsync(_prefix + "big", value, TimeSpan.FromMinutes(1), RedisSetCondition.Always, CancellationToken.None);

        // A small command queued behind the large reply must still get its own reply.
        var get = connection.GetAsync(_prefix + "big", CancellationToken.None);
        var ping = connection.ExecuteAsync(new RedisCommand("ECHO", "after"), CancellationToken.None);
        var read = await get;
        Assert.NotNull(read);
        Assert.True(value.AsSpan().SequenceEqual(read));
        Assert.Equal("after", (await ping).AsString());
        await connection.DelAsync(_prefix + "big", CancellationToken.None);
    }

    [Fact]
    public async Task ExecuteAsync_ServerError_FailsThatCommandOnlyAndConnectionStaysUsable()
    {
        await using var connection = await redis.ConnectAsync();
        var unknown = await Assert.ThrowsAsync<RedisServerException>(
            () => connection.ExecuteAsync(new RedisCommand("NOSUCHCOMMAND", "x"), CancellationToken.None));
        Assert.Contains("unknown command", unknown.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("ERR", unknown.ErrorCode);

        await connection.SAddAsync(_prefix + "set", ["a"], CancellationToken.None);
        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => connection.GetAsync(_prefix + "set", CancellationToken.None));
        Assert.Equal("WRONGTYPE", wrongType.ErrorCode);
        Assert.Contains("GET", wrongType.Message, StringComparison.Ordinal);

        Assert.Equal("ok", (await connection.ExecuteAsync(new RedisCommand("ECHO", "ok"), CancellationToken.None)).AsString());
        Assert.Equal(2, connection.ServerErrors);
        Assert.Equal(RedisConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task DefaultDatabase_SelectsDatabase_KeysAreIsolated()
    {
        await using var db0 = await redis.ConnectAsync();
        await using var db3 = await redis.ConnectAsync("defaultDatabase=3");
        await db3.SetAsync(_prefix + "k", "three"u8.ToArray(), TimeSpan.FromMinutes(1), RedisSetCondition.Always, CancellationToken.None);
        Assert.Null(await db0.GetAsync(_prefix + "k", CancellationToken.None));
        Assert.Equal("three"u8.ToArray(), await db3.GetAsync(_prefix + "k", CancellationToken.None));
        await db3.DelAsync(_prefix + "k", CancellationToken.None);
    }

    [Fact]
    public async Task ClientName_IsSetOnConnect()
    {
        await using var connection = await redis.ConnectAsync("name=isrproxy-test");
        var name = await connection.ExecuteAsync(new RedisCommand("CLIENT", "GETNAME"), CancellationToken.None);
        Assert.Equal("isrproxy-test", name.AsString());
    }

    [Fact]
    public async Task ClientName_WithSpace_IsRejectedAtConnectNamingTheStep()
    {
        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => redis.ConnectAsync("name=has space"));
        Assert.Contains("CLIENT SETNAME 'has space' was rejected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ServerPausedPastSyncTimeout_TimesOutAndLaterCommandsGetTheirOwnReplies()
    {
        await using var server = await redis.StartServerAsync();
        await using var control = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString, "syncTimeout=300");
        await control.ExecuteAsync(new RedisCommand("SET", "k", "before"), CancellationToken.None);
        await control.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", PauseMs, "ALL"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<RedisTimeoutException>(() => connection.GetAsync("k", CancellationToken.None));
        Assert.Contains("GET got no reply within 300 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains(server.ConnectionString, error.Message, StringComparison.Ordinal);
        Assert.Equal(1, connection.Timeouts);

        // Once the pause ends, the late reply to GET is dropped and each later command gets its own reply: every reply
        // that comes in time is checked; one that does not (still paused, or a loaded machine) means another round.
        var round = 0;
        await Eventually.TrueAsync(
            async () =>
            {
                var value = $"after-{++round}";
                try
                {
                    Assert.Equal("OK", (await connection.ExecuteAsync(new RedisCommand("SET", "k", value), CancellationToken.None)).AsString());
                    Assert.Equal(value, (await connection.ExecuteAsync(new RedisCommand("ECHO", value), CancellationToken.None)).AsString());
                    Assert.Equal(System.Text.Encoding.UTF8.GetBytes(value), await connection.GetAsync("k", CancellationToken.None));
                    return true;
                }
                catch (RedisTimeoutException)
                {
                    return false;
                }
            },
            "the connection answers again after CLIENT PAUSE");
        Assert.Equal(RedisConnectionState.Connected, connection.State);
    }

    [Fact]
    public async Task ExecuteAsync_MoreThanMaxInFlight_RefusesTheExcess()
    {
        await using var server = await redis.StartServerAsync();
        var options = RedisServerFixture.Options(server.ConnectionString);
        options.MaxInFlight = 5;
        await using var connection = await RedisConnection.ConnectAsync(
            options, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System, CancellationToken.None);
        await connection.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", PauseMs, "ALL"), CancellationToken.None);

        var held = Enumerable.Range(0, 5).Select(i => connection.ExecuteAsync(new RedisCommand("ECHO", i), CancellationToken.None)).ToArray();
        var refused = await Assert.ThrowsAsync<RedisConnectionException>(
            () => connection.ExecuteAsync(new RedisCommand("ECHO", "six"), CancellationToken.None));
        Assert.Contains("5 commands are already in flight", refused.Message, StringComparison.Ordinal);

        var replies = await Eventually.WithinAsync(Task.WhenAll(held), "the held commands complete after the pause");
        Assert.Equal(["0", "1", "2", "3", "4"], replies.Select(r => r.AsString()));
    }

    [Fact]
    public async Task ExecuteAsync_CallerCancels_ThrowsCanceledAndConnectionKeepsOrder()
    {
        await using var server = await redis.StartServerAsync();
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        await connection.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", PauseMs, "ALL"), CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var pending = connection.ExecuteAsync(new RedisCommand("ECHO", "cancelled"), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
        var next = await Eventually.WithinAsync(connection.ExecuteAsync(new RedisCommand("ECHO", "next"), CancellationToken.None), "ECHO after pause");
        Assert.Equal("next", next.AsString());
    }

    [Fact]
    public async Task ConnectAsync_NothingListeningWithAbortConnect_ThrowsNamingEndpoint()
    {
        var port = RedisServerProcess.FreePort();
        var error = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisServerFixture.ConnectAsync($"127.0.0.1:{port}", "connectTimeout=2000"));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NothingListeningWithoutAbortConnect_FailsFastThenConnectsWhenServerAppears()
    {
        var port = RedisServerProcess.FreePort();
        await using var connection = await RedisServerFixture.ConnectAsync($"127.0.0.1:{port}", "abortConnect=false");
        Assert.NotEqual(RedisConnectionState.Connected, connection.State);
        var error = await Eventually.WithinAsync(
            Assert.ThrowsAsync<RedisConnectionException>(() => connection.ExecuteAsync(new RedisCommand("PING"), CancellationToken.None)),
            "a command while disconnected fails");
        Assert.Contains("not sent", error.Message, StringComparison.Ordinal);

        await using var server = await redis.StartServerAsync(port, tls: false);
        await Eventually.TrueAsync(() => connection.State == RedisConnectionState.Connected, "the connection connects once a server listens");
        Assert.Equal("PONG", (await connection.ExecuteAsync(new RedisCommand("PING"), CancellationToken.None)).AsString());
        Assert.True(connection.ConnectFailures >= 1);
    }

    [Fact]
    public async Task DisposeAsync_FailsPendingCommandsAndRefusesNewOnes()
    {
        await using var server = await redis.StartServerAsync();
        var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        await connection.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", 2000L, "ALL"), CancellationToken.None);
        var pending = connection.ExecuteAsync(new RedisCommand("ECHO", "x"), CancellationToken.None);
        await connection.DisposeAsync();

        var error = await Eventually.WithinAsync(Assert.ThrowsAsync<RedisConnectionException>(() => pending), "pending command fails on dispose");
        Assert.Contains("ECHO", error.Message, StringComparison.Ordinal);
        Assert.Equal(RedisConnectionState.Disposed, connection.State);
        var refused = await Assert.ThrowsAsync<RedisConnectionException>(
            () => connection.ExecuteAsync(new RedisCommand("PING"), CancellationToken.None));
        Assert.Contains("disposed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAlive_IdleConnection_SendsPing()
    {
        await using var server = await redis.StartServerAsync();
        await using var observer = await RedisServerFixture.ConnectAsync(server.ConnectionString, "keepAlive=0");
        var before = await PingCallsAsync(observer);
        await using var idle = await RedisServerFixture.ConnectAsync(server.ConnectionString, "keepAlive=1");
        await Eventually.TrueAsync(async () => await PingCallsAsync(observer) > before, "the idle connection sends a keep-alive PING");
        Assert.Equal("still", (await idle.ExecuteAsync(new RedisCommand("ECHO", "still"), CancellationToken.None)).AsString());
    }

    [Fact]
    public async Task Counters_CountCommandsSent()
    {
        await using var connection = await redis.ConnectAsync();
        for (var i = 0; i < 3; i++)
        {
            await connection.ExecuteAsync(new RedisCommand("ECHO", i.ToString(CultureInfo.InvariantCulture)), CancellationToken.None);
        }

        Assert.Equal(3, connection.CommandsSent);
        Assert.Equal(0, connection.Reconnects);
    }

    private static async Task<long> PingCallsAsync(RedisConnection connection)
    {
        var info = (await connection.ExecuteAsync(new RedisCommand("INFO", "commandstats"), CancellationToken.None)).AsString() ?? string.Empty;
        var line = info.Split("\r\n").FirstOrDefault(l => l.StartsWith("cmdstat_ping:", StringComparison.Ordinal));
        if (line is null)
        {
            return 0;
        }

        var calls = line["cmdstat_ping:calls=".Length..line.IndexOf(',', StringComparison.Ordinal)];
        return long.Parse(calls, CultureInfo.InvariantCulture);
    }
}
