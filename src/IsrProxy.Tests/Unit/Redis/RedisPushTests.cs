using IsrProxy.Redis;

namespace IsrProxy.Tests.Unit.Redis;

public sealed class RedisPushTests
{
    [Fact]
    public void Parse_Message_GivesChannelAndPayload()
    {
        var push = RedisPush.Parse(RespValue.Array(
            [RespValue.BulkString("message"), RespValue.BulkString("isr:events"), RespValue.BulkString([1, 2, 3])]));
        Assert.Equal(RedisPushKind.Message, push.Kind);
        Assert.Equal("isr:events", push.Channel);
        Assert.Equal(new byte[] { 1, 2, 3 }, push.Payload.ToArray());
    }

    [Theory]
    [InlineData("subscribe", "Subscribe")]
    [InlineData("unsubscribe", "Unsubscribe")]
    public void Parse_Confirmation_GivesKindAndChannel(string verb, string kindName)
    {
        var kind = Enum.Parse<RedisPushKind>(kindName);
        var push = RedisPush.Parse(RespValue.Array([RespValue.BulkString(verb), RespValue.BulkString("c"), RespValue.Integer(1)]));
        Assert.Equal(kind, push.Kind);
        Assert.Equal("c", push.Channel);
    }

    [Fact]
    public void Parse_PongInBothForms_IsPong()
    {
        Assert.Equal(RedisPushKind.Pong, RedisPush.Parse(RespValue.SimpleString("PONG")).Kind);
        Assert.Equal(RedisPushKind.Pong, RedisPush.Parse(RespValue.Array([RespValue.BulkString("pong"), RespValue.BulkString("")])).Kind);
    }

    [Fact]
    public void Parse_OtherShapes_AreUnknown()
    {
        Assert.Equal(RedisPushKind.Unknown, RedisPush.Parse(RespValue.Integer(1)).Kind);
        Assert.Equal(RedisPushKind.Unknown, RedisPush.Parse(RespValue.Array(null)).Kind);
        Assert.Equal(RedisPushKind.Unknown, RedisPush.Parse(RespValue.Array([])).Kind);
        Assert.Equal(RedisPushKind.Unknown, RedisPush.Parse(RespValue.Array([RespValue.BulkString("pmessage"), RespValue.BulkString("p"), RespValue.BulkString("c")])).Kind);
        Assert.Equal(RedisPushKind.Unknown, RedisPush.Parse(RespValue.Array([RespValue.BulkString("message"), RespValue.BulkString("c")])).Kind);
    }
}
