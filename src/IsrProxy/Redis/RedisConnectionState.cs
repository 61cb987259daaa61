namespace IsrProxy.Redis;

internal enum RedisConnectionState
{
    /// <summary>A connection attempt (socket, TLS, handshake) is under way.</summary>
    Connecting = 0,

    /// <summary>Commands are sent; replies are read.</summary>
    Connected,

    /// <summary>The socket is gone; commands fail at once while reconnect attempts run with backoff.</summary>
    Disconnected,

    Disposed,
}
