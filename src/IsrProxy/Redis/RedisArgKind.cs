namespace IsrProxy.Redis;

internal enum RedisArgKind
{
    Text = 0,
    Bytes,
    Integer,
}
