namespace IsrProxy.Redis;

/// <summary>
/// A command got no reply within <see cref="RedisConnectionOptions.SyncTimeout"/>. The command may still run on the
/// server; its reply is discarded when it arrives, so later commands keep their own replies.
/// </summary>
internal sealed class RedisTimeoutException : RedisException
{
    public RedisTimeoutException(RedisEndPoint endPoint, string command, TimeSpan timeout, int inFlight)
        : base($"Redis {endPoint}: {command} got no reply within {(long)timeout.TotalMilliseconds} ms (syncTimeout); {inFlight} command(s) were in flight.")
    {
        Command = command;
        Timeout = timeout;
    }

    public string Command { get; }

    public TimeSpan Timeout { get; }
}
