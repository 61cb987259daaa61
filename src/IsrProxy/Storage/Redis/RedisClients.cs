using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// This replica's two Redis connections: the multiplexed command connection and the pub/sub subscriber. They are
/// opened when the host starts, never fail startup (an unreachable Redis is retried in the background while the proxy
/// serves from memory and the origin), and close with the host.
/// </summary>
internal sealed partial class RedisClients : IAsyncDisposable
{
    /// <summary>
    /// The key of the <see cref="TimeProvider"/> that sockets, timeouts and back-offs run on. It is apart from the cache's
    /// clock, which decides freshness and may be replaced (tests move it by hand); network waits always need real time.
    /// </summary>
    public const string NetworkClock = "IsrProxy.Network";

    private readonly string _connectionString;
    private readonly ILogger _clientLogger;
    private readonly ILogger<RedisClients> _logger;
    private readonly TimeProvider _network;
    private readonly SemaphoreSlim _startGate = new(1, 1);
    private RedisConnection? _connection;
    private RedisSubscriber? _subscriber;

    public RedisClients(
        IOptions<IsrOptions> options,
        ILoggerFactory loggers,
        [FromKeyedServices(NetworkClock)] TimeProvider network,
        ILogger<RedisClients> logger)
    {
        _connectionString = options.Value.Store.Redis;
        _clientLogger = loggers.CreateLogger("IsrProxy.Redis");
        _network = network;
        _logger = logger;
    }

    /// <summary>Names this process in pub/sub messages, so a replica ignores the echo of its own.</summary>
    public string ReplicaId { get; } = Guid.NewGuid().ToString("N")[..16];

    /// <summary>The command connection; null before the host started.</summary>
    public RedisConnection? Connection => Volatile.Read(ref _connection);

    /// <summary>The pub/sub connection; null before the host started.</summary>
    public RedisSubscriber? Subscriber => Volatile.Read(ref _subscriber);

    /// <summary>Raised each time the command connection is (re)established.</summary>
    public event Action? CommandsConnected;

    /// <summary>Opens both connections once; returns even when Redis cannot be reached (they keep retrying).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await _startGate.WaitAsync(ct);
        try
        {
            if (_connection is not null)
            {
                return;
            }

            // abortConnect=false unless the connection string says otherwise: the proxy starts without Redis.
            var options = RedisConnectionOptions.Parse("abortConnect=false," + _connectionString);
            Log.Starting(_logger, options.ToString());
            var connection = await RedisConnection.ConnectAsync(options, _clientLogger, _network, ct);
            connection.Connected += () => CommandsConnected?.Invoke();
            Volatile.Write(ref _connection, connection);
            Volatile.Write(ref _subscriber, await RedisSubscriber.ConnectAsync(options, _clientLogger, _network, ct));
            if (connection.State != RedisConnectionState.Connected)
            {
                Log.StartedWithoutRedis(_logger, options.EndPoint.ToString(), connection.LastError?.Message ?? "not connected");
            }
        }
        finally
        {
            _startGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _subscriber, null) is { } subscriber)
        {
            await subscriber.DisposeAsync();
        }

        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync();
        }

        _startGate.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.RedisStarting, LogLevel.Information, "Store: Redis {Configuration}", EventName = "RedisStarting")]
        public static partial void Starting(ILogger logger, string configuration);

        [LoggerMessage(EventIds.StoreUnavailable, LogLevel.Warning, "Redis {EndPoint} is unreachable at startup ({Reason}); serving from memory and the origin, reconnecting in the background", EventName = "StoreUnavailable")]
        public static partial void StartedWithoutRedis(ILogger logger, string endPoint, string reason);
    }
}
