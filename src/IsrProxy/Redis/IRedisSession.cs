namespace IsrProxy.Redis;

/// <summary>The work done over one socket, from handshake to loss: commands (<see cref="RedisPipeline"/>) or pub/sub.</summary>
internal interface IRedisSession
{
    /// <summary>Runs the socket's loops until it closes, fails everything still pending, and returns why it closed.</summary>
    Task<Exception> RunAsync();

    /// <summary>Closes the socket; <see cref="RunAsync"/> then completes. The first reason given wins.</summary>
    void Abort(Exception reason);
}
