using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// Every Redis operation of the store goes through here (STYLE 4.3): refused at once while the circuit breaker is open,
/// bounded by <c>Isr:Store:TimeoutMilliseconds</c>, and a failure becomes <see cref="StoreCall{T}.Unavailable"/> — logged
/// once per outage, counted each time — instead of an exception on the request path.
/// </summary>
internal sealed partial class RedisGuard
{
    private static readonly TimeSpan OpenFor = TimeSpan.FromSeconds(1);

    private readonly RedisClients _clients;
    private readonly SharedStoreStats _stats;
    private readonly TimeProvider _network;
    private readonly ILogger<RedisGuard> _logger;
    private readonly TimeSpan _timeout;
    private readonly CircuitBreaker _breaker;

    public RedisGuard(
        RedisClients clients,
        SharedStoreStats stats,
        IOptions<IsrOptions> options,
        [FromKeyedServices(RedisClients.NetworkClock)] TimeProvider network,
        ILogger<RedisGuard> logger)
    {
        _clients = clients;
        _stats = stats;
        _network = network;
        _logger = logger;
        _timeout = TimeSpan.FromMilliseconds(options.Value.Store.TimeoutMilliseconds);
        _breaker = new CircuitBreaker(OpenFor, network);
        clients.CommandsConnected += () =>
        {
            if (_breaker.Close())
            {
                Log.Reconnected(_logger);
            }
        };
    }

    /// <summary>True while Redis is considered down (calls are being refused or probed).</summary>
    public bool IsUnavailable => _breaker.IsOpen;

    /// <param name="timeout">The bound of the whole operation; <c>Isr:Store:TimeoutMilliseconds</c> when not given.</param>
    public async Task<StoreCall<T>> RunAsync<T>(Func<RedisConnection, CancellationToken, Task<T>> operation, CancellationToken ct, TimeSpan? timeout = null)
    {
        if (!_breaker.AllowsCall() || _clients.Connection is not { } connection)
        {
            _stats.Refuse();
            return StoreCall<T>.Unavailable;
        }

        var bound = timeout ?? _timeout;
        using var deadline = new CancellationTokenSource(bound, _network);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            var value = await operation(connection, linked.Token);
            if (_breaker.Close())
            {
                Log.Reconnected(_logger);
            }

            return new StoreCall<T>(true, value);
        }
        catch (Exception ex) when (ex is RedisException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            _stats.Failed();
            var reason = ex is OperationCanceledException ? $"no answer within {(long)bound.TotalMilliseconds} ms" : ex.Message;
            if (_breaker.Trip())
            {
                Log.Unavailable(_logger, reason);
            }

            return StoreCall<T>.Unavailable;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // Not Redis failing but this code (a reply it did not expect): reported as an error, served as a miss.
            _stats.Failed();
            Log.Unexpected(_logger, ex);
            return StoreCall<T>.Unavailable;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.StoreUnavailable, LogLevel.Warning, "Redis is unavailable ({Reason}); serving from L1 and passing misses to the origin until it is back", EventName = "StoreUnavailable")]
        public static partial void Unavailable(ILogger logger, string reason);

        [LoggerMessage(EventIds.RedisReconnected, LogLevel.Information, "Redis is available again", EventName = "RedisReconnected")]
        public static partial void Reconnected(ILogger logger);

        [LoggerMessage(EventIds.StoreOperationFailed, LogLevel.Error, "A Redis store operation failed unexpectedly; it is treated as unavailable", EventName = "StoreOperationFailed")]
        public static partial void Unexpected(ILogger logger, Exception exception);
    }
}
