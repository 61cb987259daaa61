namespace IsrProxy.Redis;

/// <summary>
/// A reply read on a RESP2 subscriber socket, sorted: <c>["message", channel, payload]</c>,
/// <c>["subscribe" | "unsubscribe", channel, count]</c>, <c>["pong", ""]</c> (or <c>+PONG</c> before any SUBSCRIBE).
/// </summary>
internal readonly record struct RedisPush(RedisPushKind Kind, string Channel, ReadOnlyMemory<byte> Payload)
{
    public static RedisPush Parse(RespValue reply)
    {
        if (reply.Kind == RespValueKind.SimpleString && reply.AsString() == "PONG")
        {
            return new RedisPush(RedisPushKind.Pong, string.Empty, default);
        }

        if (reply.Kind != RespValueKind.Array || reply.IsNull)
        {
            return default;
        }

        var items = reply.Items;
        if (items.Count == 0 || items[0].Kind != RespValueKind.BulkString)
        {
            return default;
        }

        var kind = items[0].AsString();
        if (kind == "pong")
        {
            return new RedisPush(RedisPushKind.Pong, string.Empty, default);
        }

        if (items.Count != 3 || items[1].Kind != RespValueKind.BulkString || items[1].IsNull)
        {
            return default;
        }

        var channel = items[1].AsString() ?? string.Empty;
        return kind switch
        {
            "message" when items[2].Kind == RespValueKind.BulkString => new RedisPush(RedisPushKind.Message, channel, items[2].AsMemory()),
            "subscribe" when items[2].Kind == RespValueKind.Integer => new RedisPush(RedisPushKind.Subscribe, channel, default),
            "unsubscribe" when items[2].Kind == RespValueKind.Integer => new RedisPush(RedisPushKind.Unsubscribe, channel, default),
            _ => default,
        };
    }
}
