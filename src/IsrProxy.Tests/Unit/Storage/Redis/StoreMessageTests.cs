using System.Text;
using IsrProxy.Storage;
using IsrProxy.Storage.Redis;

namespace IsrProxy.Tests.Unit.Storage.Redis;

public sealed class StoreMessageTests
{
    [Fact]
    public void Written_RoundTrips_WithAnyCharacterInTheKey()
    {
        var key = "/blog/a?x=1|2\nvary\naccept-encoding=br";

        Assert.True(StoreMessage.TryParse(Encoding.UTF8.GetBytes(StoreMessage.Written("r1", key)), out var message));

        Assert.Equal(new StoreMessage(StoreMessageKind.Written, "r1", key, default, default), message);
    }

    [Fact]
    public void Removed_RoundTrips()
    {
        Assert.True(StoreMessage.TryParse(Encoding.UTF8.GetBytes(StoreMessage.Removed("r1", "/a")), out var message));

        Assert.Equal(StoreMessageKind.Removed, message.Value.Kind);
        Assert.Equal("/a", message.Value.Name);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Marked_RoundTripsKindInstantAndClockKey(bool expire)
    {
        var kind = expire ? InvalidationKind.Expire : InvalidationKind.Stale;
        var at = Entries.T0.AddTicks(7);

        Assert.True(StoreMessage.TryParse(Encoding.UTF8.GetBytes(StoreMessage.Marked("r2", "t|a|b", kind, at)), out var message));

        Assert.Equal(new StoreMessage(StoreMessageKind.Marked, "r2", "t|a|b", kind, at), message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1|r1|w|")]
    [InlineData("2|r1|w|/a")]
    [InlineData("1||w|/a")]
    [InlineData("1|r1|z|/a")]
    [InlineData("1|r1|m|s|123|t|a")]
    [InlineData("1|r1|m|q|0000000000000000001|t|a")]
    [InlineData("1|r1|m|s|0000000000000000000|t|a")]
    [InlineData("1|r1|m|s|9999999999999999999|t|a")]
    [InlineData("1|r1|m|s|0000000000000000001|")]
    [InlineData("garbage")]
    public void Malformed_IsRefused(string text)
    {
        Assert.False(StoreMessage.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void InvalidUtf8_IsRefused()
    {
        Assert.False(StoreMessage.TryParse([(byte)'1', (byte)'|', 0xC3, 0x28, (byte)'|', (byte)'w', (byte)'|', (byte)'a'], out _));
    }

    [Fact]
    public void ClockValue_ParsesStaleAndExpired_AndNoneAsNull()
    {
        var value = RedisStamps.Format(Entries.T0) + ":" + RedisStamps.None;

        Assert.True(RedisStamps.TryParseClockValue(value, out var stale, out var expired));

        Assert.Equal(Entries.T0, stale);
        Assert.Null(expired);
        Assert.False(RedisStamps.TryParseClockValue(value[..^1], out _, out _));
        Assert.False(RedisStamps.TryParseClockValue(value.Replace(':', ';'), out _, out _));
    }

    [Fact]
    public void StampFormat_SortsAsTheInstantsDo()
    {
        var early = RedisStamps.Format(new DateTimeOffset(1999, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var late = RedisStamps.Format(Entries.T0);

        Assert.Equal(19, early.Length);
        Assert.True(string.CompareOrdinal(early, late) < 0);
    }
}
