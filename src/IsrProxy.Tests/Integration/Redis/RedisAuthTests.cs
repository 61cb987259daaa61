using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedisAuthTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Password_IsSentWithAuth()
    {
        await using var server = await redis.StartServerAsync("--requirepass", "s3cret");
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString, "password=s3cret");
        Assert.Equal("default", (await connection.ExecuteAsync(new RedisCommand("ACL", "WHOAMI"), CancellationToken.None)).AsString());
    }

    [Fact]
    public async Task AclUser_AuthenticatesAsThatUser()
    {
        await using var server = await redis.StartServerAsync("--requirepass", "admin");
        await using (var admin = await RedisServerFixture.ConnectAsync(server.ConnectionString, "password=admin"))
        {
            await admin.ExecuteAsync(new RedisCommand("ACL", "SETUSER", "isr", "on", ">isr-pass", "~*", "&*", "+@all"), CancellationToken.None);
        }

        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString, "user=isr,password=isr-pass");
        Assert.Equal("isr", (await connection.ExecuteAsync(new RedisCommand("ACL", "WHOAMI"), CancellationToken.None)).AsString());
    }

    [Fact]
    public async Task WrongPassword_FailsConnectWithClearError()
    {
        await using var server = await redis.StartServerAsync("--requirepass", "right");
        var error = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisServerFixture.ConnectAsync(server.ConnectionString, "password=wrong"));
        Assert.Contains("AUTH was rejected", error.Message, StringComparison.Ordinal);
        Assert.Contains("WRONGPASS", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong,", error.Message, StringComparison.Ordinal);
        Assert.IsType<RedisServerException>(error.InnerException);
    }

    [Fact]
    public async Task WrongAclUser_NamesTheUserButNotThePassword()
    {
        await using var server = await redis.StartServerAsync("--requirepass", "right");
        var error = await Assert.ThrowsAsync<RedisConnectionException>(
            () => RedisServerFixture.ConnectAsync(server.ConnectionString, "user=ghost,password=p4ss"));
        Assert.Contains("AUTH as user 'ghost' was rejected", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("p4ss", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoPasswordOnProtectedServer_CommandsFailWithNoAuth()
    {
        await using var server = await redis.StartServerAsync("--requirepass", "right");
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        var error = await Assert.ThrowsAsync<RedisServerException>(() => connection.ExecuteAsync(new RedisCommand("PING"), CancellationToken.None));
        Assert.Equal("NOAUTH", error.ErrorCode);
    }

    [Fact]
    public async Task Password_IsSentAgainAfterReconnect()
    {
        await using var server = await redis.StartServerAsync("--requirepass", "s3cret");
        await using var connection = await RedisServerFixture.ConnectAsync(server.ConnectionString, "password=s3cret");
        await server.StopAsync();
        await Eventually.TrueAsync(() => connection.State != RedisConnectionState.Connected, "the loss is noticed");
        await server.StartAsync();
        await Eventually.TrueAsync(() => connection.State == RedisConnectionState.Connected, "reconnected");
        Assert.Equal("PONG", (await connection.ExecuteAsync(new RedisCommand("PING"), CancellationToken.None)).AsString());
    }
}
