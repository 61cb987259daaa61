namespace IsrProxy.Redis;

/// <summary>The server answered a command with an error reply (<c>-ERR ...</c>); the connection is still usable.</summary>
internal sealed class RedisServerException : RedisException
{
    public RedisServerException(RedisEndPoint endPoint, string command, string serverMessage)
        : base($"Redis {endPoint} rejected {command}: {serverMessage}")
    {
        Command = command;
        ServerMessage = serverMessage;
    }

    public string Command { get; }

    /// <summary>The error text exactly as the server sent it, e.g. <c>NOSCRIPT No matching script.</c></summary>
    public string ServerMessage { get; }

    /// <summary>The first word of the error, which Redis uses as an error code (<c>ERR</c>, <c>WRONGTYPE</c>, <c>NOSCRIPT</c>).</summary>
    public string ErrorCode
    {
        get
        {
            var space = ServerMessage.IndexOf(' ', StringComparison.Ordinal);
            return space < 0 ? ServerMessage : ServerMessage[..space];
        }
    }
}
