using IsrProxy.Redis;

namespace IsrProxy.Tests.Unit.Redis;

public sealed class RedisConnectionOptionsTests
{
    [Fact]
    public void Parse_HostOnly_UsesPort6379AndStackExchangeDefaults()
    {
        var options = RedisConnectionOptions.Parse("redis.internal");
        Assert.Equal(new RedisEndPoint("redis.internal", 6379), options.EndPoint);
        Assert.Null(options.User);
        Assert.Null(options.Password);
        Assert.False(options.Ssl);
        Assert.Null(options.SslHost);
        Assert.Equal(0, options.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), options.SyncTimeout);
        Assert.True(options.AbortConnect);
        Assert.Null(options.ClientName);
        Assert.Equal(TimeSpan.FromSeconds(60), options.KeepAlive);
    }

    [Fact]
    public void Parse_EveryKey_SetsItsOption()
    {
        var options = RedisConnectionOptions.Parse(
            "cache:6380,password=s3cr=t,user=isr,ssl=true,sslHost=redis.example.com,defaultDatabase=3,"
            + "connectTimeout=1500,syncTimeout=250,abortConnect=false,name=isrproxy-1,keepAlive=15");
        Assert.Equal(new RedisEndPoint("cache", 6380), options.EndPoint);
        Assert.Equal("s3cr=t", options.Password);
        Assert.Equal("isr", options.User);
        Assert.True(options.Ssl);
        Assert.Equal("redis.example.com", options.SslHost);
        Assert.Equal(3, options.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.SyncTimeout);
        Assert.False(options.AbortConnect);
        Assert.Equal("isrproxy-1", options.ClientName);
        Assert.Equal(TimeSpan.FromSeconds(15), options.KeepAlive);
    }

    [Fact]
    public void Parse_KeysInAnyCaseAndSpacing_AreRecognised()
    {
        var options = RedisConnectionOptions.Parse(" localhost , SSL = TRUE ,DEFAULTDATABASE=2, SyncTimeout=10 ,,");
        Assert.True(options.Ssl);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(10), options.SyncTimeout);
    }

    [Fact]
    public void Parse_SeveralEndpoints_KeepsAllAndConnectsToFirst()
    {
        var options = RedisConnectionOptions.Parse("a:1,b:2,c");
        Assert.Equal([new RedisEndPoint("a", 1), new RedisEndPoint("b", 2), new RedisEndPoint("c", 6379)], options.EndPoints);
        Assert.Equal(new RedisEndPoint("a", 1), options.EndPoint);
    }

    [Theory]
    [InlineData("[::1]:6380", "::1", 6380)]
    [InlineData("[::1]", "::1", 6379)]
    [InlineData("::1", "::1", 6379)]
    [InlineData("[fe80::1]:7000", "fe80::1", 7000)]
    [InlineData("127.0.0.1:7001", "127.0.0.1", 7001)]
    public void Parse_IpEndpoints_AreRecognised(string text, string host, int port)
    {
        Assert.Equal(new RedisEndPoint(host, port), RedisConnectionOptions.Parse(text).EndPoint);
    }

    [Fact]
    public void EndPointToString_Ipv6_IsBracketed()
    {
        Assert.Equal("[::1]:6379", new RedisEndPoint("::1", 6379).ToString());
        Assert.Equal("host:1", new RedisEndPoint("host", 1).ToString());
    }

    [Theory]
    [InlineData("localhost,allowAdmin=true", "allowAdmin")]
    [InlineData("localhost,Tiebreaker=", "Tiebreaker")]
    public void Parse_UnknownKey_IsRejectedNamingTheKey(string text, string key)
    {
        var error = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse(text));
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ssl", "yes")]
    [InlineData("abortConnect", "1")]
    [InlineData("defaultDatabase", "-1")]
    [InlineData("defaultDatabase", "x")]
    [InlineData("connectTimeout", "0")]
    [InlineData("connectTimeout", "5s")]
    [InlineData("syncTimeout", "")]
    [InlineData("syncTimeout", "99999999999")]
    [InlineData("keepAlive", "-2")]
    public void Parse_BadValue_NamesKeyAndValue(string key, string value)
    {
        var error = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse($"localhost,{key}={value}"));
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ssl=true")]
    [InlineData(" , ")]
    public void Parse_NoEndpoint_IsRejected(string text)
    {
        var error = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse(text));
        Assert.Contains("no endpoint", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host:0", "'0'")]
    [InlineData("host:65536", "'65536'")]
    [InlineData("host:abc", "'abc'")]
    [InlineData("[::1", "closing ']'")]
    [InlineData("[::1]x", "after ']'")]
    [InlineData("[notip]:1", "IPv6")]
    [InlineData("a:b:c", "[address]:port")]
    [InlineData(":6379", "no host")]
    public void Parse_BadEndpoint_NamesIt(string text, string messagePart)
    {
        var error = Assert.Throws<FormatException>(() => RedisConnectionOptions.Parse(text));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeepAliveMinusOneOrZero_MeansDefaultOrOff()
    {
        Assert.Equal(TimeSpan.FromSeconds(60), RedisConnectionOptions.Parse("h,keepAlive=-1").KeepAlive);
        Assert.Equal(TimeSpan.Zero, RedisConnectionOptions.Parse("h,keepAlive=0").KeepAlive);
    }

    [Fact]
    public void ToString_MasksPassword()
    {
        var text = RedisConnectionOptions.Parse("h:1,password=hunter2,user=u").ToString();
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("password=*****", text, StringComparison.Ordinal);
        Assert.Contains("user=u", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WithoutPassword_ParsesBackToTheSameOptions()
    {
        var original = RedisConnectionOptions.Parse(
            "[::1]:7000,b:2,ssl=true,sslHost=s,defaultDatabase=4,connectTimeout=100,syncTimeout=200,abortConnect=false,name=n,keepAlive=9");
        var again = RedisConnectionOptions.Parse(original.ToString());
        Assert.Equal(original.ToString(), again.ToString());
        Assert.Equal(original.EndPoints, again.EndPoints);
        Assert.Equal(4, again.DefaultDatabase);
        Assert.Equal(TimeSpan.FromMilliseconds(200), again.SyncTimeout);
    }
}
