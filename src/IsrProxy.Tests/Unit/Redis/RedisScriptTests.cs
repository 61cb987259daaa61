using IsrProxy.Redis;

namespace IsrProxy.Tests.Unit.Redis;

public sealed class RedisScriptTests
{
    [Fact]
    public void Sha1_MatchesRedisScriptLoadOutput()
    {
        // The value SCRIPT LOAD "return 1" returns.
        Assert.Equal("e0e1f9fabfc9d4800c877a703b823ac0578ff8db", new RedisScript("return 1").Sha1);
    }

    [Fact]
    public void Constructor_EmptySource_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => new RedisScript(" "));
    }
}
