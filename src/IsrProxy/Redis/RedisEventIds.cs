namespace IsrProxy.Redis;

/// <summary>Log event ids of the Redis client (the 5100 range), stable so alerts can key on them.</summary>
internal static class RedisEventIds
{
    public const int Connected = 5101;
    public const int ConnectionLost = 5102;
    public const int ConnectFailed = 5103;
    public const int KeepAliveFailed = 5104;
    public const int HookFailed = 5105;
    public const int MessageHandlerFailed = 5114;
    public const int UnexpectedPush = 5115;
}
