namespace IsrProxy.Redis;

/// <summary>Base of every failure raised by the Redis client, so a store can treat "Redis failed" as one case.</summary>
internal abstract class RedisException : Exception
{
    protected RedisException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
