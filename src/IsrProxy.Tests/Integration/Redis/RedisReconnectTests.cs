using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisReconnectTests(RedisServerFixture redis)
{
    [Fact]
    public async Task ServerKilledMidTraffic_PendingFailFastThenConnectionRecoversByItself()
    {
        await using var server = await redis.StartServerAsync();
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString, "syncTimeout=30000");
        var connected = 0;
        var disconnected = new List<Exception>();
        connection.Connected += () => Interlocked.Increment(ref connected);
        connection.Disconnected += reason =>
        {
            lock (disconnected)
            {
                disconnected.Add(reason);
            }
        };

        // Commands stuck behind CLIENT PAUSE are surely pending (sent, unanswered) when the server dies.
        await connection.ExecuteAsync(new RedisCommand("CLIENT", "PAUSE", 20_000L, "ALL"), CancellationToken.None);
        var pending = Enumerable.Range(0, 200)
            .Select(i => connection.ExecuteAsync(new RedisCommand("SET", $"k{i}", i), CancellationToken.None))
            .ToArray();
        await server.StopAsync();

        foreach (var command in pending)
        {
            var error = await Eventually.WithinAsync(
                Assert.ThrowsAsync<RedisConnectionException>(() => command), "a pending command fails after the server died");
            Assert.Contains(server.ConnectionString, error.Message, StringComparison.Ordinal);
        }

        await Eventually.TrueAsync(() => connection.State != RedisConnectionState.Connected, "the connection notices the loss");
        var duringOutage = await Eventually.WithinAsync(
            Assert.ThrowsAsync<RedisConnectionException>(() => connection.ExecuteAsync(new RedisCommand("PING"), CancellationToken.None)),
            "a command during the outage fails");
        Assert.Contains(server.ConnectionString, duringOutage.Message, StringComparison.Ordinal);

        // The state changes before the event is raised: wait for the event, then check it came once.
        await Eventually.TrueAsync(
            () =>
            {
                lock (disconnected)
                {
                    return disconnected.Count > 0;
                }
            },
            "Disconnected was raised");
        lock (disconnected)
        {
            Assert.Single(disconnected);
        }

        await server.StartAsync();
        await Eventually.TrueAsync(() => connection.State == RedisConnectionState.Connected, "the connection reconnects by itself");
        Assert.Equal("PONG", (await connection.ExecuteAsync(new RedisCommand("PING"), CancellationToken.None)).AsString());
        Assert.Equal(1, connection.Reconnects);
        Assert.Equal(1, Volatile.Read(ref connected));
        Assert.True(connection.ConnectionErrors >= 201);
    }

    [Fact]
    public async Task ServerKilledUnderLoad_EveryWorkerStopsWithConnectionException()
    {
        await using var server = await redis.StartServerAsync();
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString, "syncTimeout=30000");
        var completed = 0;
        using var stop = new CancellationTokenSource(Eventually.DefaultTimeout);

        // Each worker loops until the connection fails under it (or the deadline passes, which fails the test).
        async Task<Exception?> WorkerAsync(int id)
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var reply = await connection.ExecuteAsync(new RedisCommand("ECHO", $"{id}:{i}"), CancellationToken.None);
                    Assert.Equal($"{id}:{i}", reply.AsString());
                    Interlocked.Increment(ref completed);
                }
                catch (RedisConnectionException ex)
                {
                    return ex;
                }
            }

            return null;
        }

        var workers = Enumerable.Range(0, 16).Select(WorkerAsync).ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref completed) > 2000, "traffic flows");
        await server.StopAsync();

        var endings = await Eventually.WithinAsync(Task.WhenAll(workers), "every worker stops after the server died");
        Assert.All(endings, e => Assert.Contains(server.ConnectionString, Assert.IsType<RedisConnectionException>(e).Message, StringComparison.Ordinal));
        Assert.Equal(0, connection.InFlight);
    }

    [Fact]
    public async Task ServerRestartedTwice_ReconnectsEachTimeAndKeepsDatabaseAndName()
    {
        await using var server = await redis.StartServerAsync();
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString, "defaultDatabase=2,name=isr-reconnect");
        for (var round = 1; round <= 2; round++)
        {
            await server.StopAsync();
            await Eventually.TrueAsync(() => connection.State != RedisConnectionState.Connected, "the loss is noticed");
            await server.StartAsync();
            await Eventually.TrueAsync(() => connection.State == RedisConnectionState.Connected, "reconnected");
            Assert.Equal(round, connection.Reconnects);
        }

        await connection.ExecuteAsync(new RedisCommand("SET", "where", "db2"), CancellationToken.None);
        var name = await connection.ExecuteAsync(new RedisCommand("CLIENT", "GETNAME"), CancellationToken.None);
        Assert.Equal("isr-reconnect", name.AsString());
        await using var db2 = await RedisServerFixture.ConnectAsync(server.ConnectionString, "defaultDatabase=2");
        Assert.Equal("db2"u8.ToArray(), await db2.GetAsync("where", CancellationToken.None));
    }
}
