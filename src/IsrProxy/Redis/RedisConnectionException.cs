namespace IsrProxy.Redis;

/// <summary>The server could not be reached, the socket was lost, or the client refused a command it could not send.</summary>
internal sealed class RedisConnectionException : RedisException
{
    public RedisConnectionException(RedisEndPoint endPoint, string message, Exception? innerException = null)
        : base($"Redis {endPoint}: {message}", innerException)
    {
        EndPoint = endPoint;
    }

    public RedisEndPoint EndPoint { get; }
}
