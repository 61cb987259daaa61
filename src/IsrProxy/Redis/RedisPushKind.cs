namespace IsrProxy.Redis;

internal enum RedisPushKind
{
    Unknown = 0,
    Message,
    Subscribe,
    Unsubscribe,
    Pong,
}
