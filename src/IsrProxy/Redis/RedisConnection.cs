using Microsoft.Extensions.Logging;

namespace IsrProxy.Redis;

/// <summary>
/// One multiplexed, pipelined connection to Redis, shared by all callers and safe for concurrent use. Commands go out
/// back to back through a single writer and replies are matched in order. A server error reply fails only its own
/// command (<see cref="RedisServerException"/>); a command without a reply within syncTimeout fails with
/// <see cref="RedisTimeoutException"/>. When the socket is lost, every pending command fails with
/// <see cref="RedisConnectionException"/>, commands issued while disconnected fail at once, and the connection
/// reconnects by itself with backoff. Blocking commands (BLPOP, SUBSCRIBE ...) must not be sent here: they would stall
/// every other caller; pub/sub uses <see cref="RedisSubscriber"/>.
/// </summary>
internal sealed partial class RedisConnection : IAsyncDisposable
{
    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RedisConnectionSupervisor<RedisPipeline> _supervisor;
    private long _commands;
    private long _timeouts;
    private long _serverErrors;
    private long _connectionErrors;

    private RedisConnection(RedisConnectionOptions options, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _supervisor = new RedisConnectionSupervisor<RedisPipeline>(
            options, logger, time, "commands", ConnectPipelineAsync, RaiseConnected, RaiseDisconnected);
    }

    /// <summary>Raised after each successful (re)connect, on the connection's own task; keep handlers short.</summary>
    public event Action? Connected;

    /// <summary>Raised with the reason after the socket is lost (pending commands have failed by then).</summary>
    public event Action<Exception>? Disconnected;

    public RedisEndPoint EndPoint => _options.EndPoint;

    public RedisConnectionOptions Options => _options;

    public RedisConnectionState State => _supervisor.State;

    /// <summary>Why the last connection attempt failed or the last socket was lost; null if neither happened.</summary>
    public Exception? LastError => _supervisor.LastError;

    /// <summary>Successful connects after the first one.</summary>
    public long Reconnects => _supervisor.Reconnects;

    public long ConnectFailures => _supervisor.ConnectFailures;

    /// <summary>Commands handed to the socket (accepted for sending).</summary>
    public long CommandsSent => Interlocked.Read(ref _commands);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    /// <summary>Commands that failed because the connection was down, lost, closing or full.</summary>
    public long ConnectionErrors => Interlocked.Read(ref _connectionErrors);

    /// <summary>Commands queued or awaiting a reply right now.</summary>
    public int InFlight => _supervisor.Current?.InFlight ?? 0;

    /// <summary>
    /// Connects to the first endpoint of <paramref name="options"/>. With abortConnect=true (the default) a failed first
    /// attempt throws <see cref="RedisConnectionException"/>; with abortConnect=false the connection is returned
    /// disconnected and retries in the background.
    /// </summary>
    public static async Task<RedisConnection> ConnectAsync(RedisConnectionOptions options, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        var connection = new RedisConnection(options, logger, time);
        try
        {
            await connection._supervisor.StartAsync(ct).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends a command and returns its reply. Throws <see cref="RedisServerException"/> for an error reply,
    /// <see cref="RedisTimeoutException"/> after syncTimeout, <see cref="RedisConnectionException"/> when the connection
    /// is down or is lost before the reply. Argument memory must stay unchanged until the call completes.
    /// </summary>
    public async Task<RespValue> ExecuteAsync(RedisCommand command, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var pipeline = _supervisor.Current;
        var pending = new PendingCommand(command);
        try
        {
            if (pipeline is null)
            {
                throw NotConnected(command.Name);
            }

            pipeline.Enqueue(pending);
            Interlocked.Increment(ref _commands);
            return await pending.Task.WaitAsync(_options.SyncTimeout, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            pending.Abandon();
            Interlocked.Increment(ref _timeouts);
            throw new RedisTimeoutException(EndPoint, command.Name, _options.SyncTimeout, pipeline?.InFlight ?? 0);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            pending.Abandon();
            throw;
        }
        catch (RedisServerException)
        {
            Interlocked.Increment(ref _serverErrors);
            throw;
        }
        catch (RedisConnectionException)
        {
            Interlocked.Increment(ref _connectionErrors);
            throw;
        }
    }

    /// <summary>Closes the socket, fails pending commands and stops reconnecting.</summary>
    public ValueTask DisposeAsync() => _supervisor.DisposeAsync();

    private RedisConnectionException NotConnected(string command)
    {
        var last = _supervisor.LastError;
        var state = _supervisor.State;
        return state == RedisConnectionState.Disposed
            ? new RedisConnectionException(EndPoint, $"{command} was not sent: the connection is disposed.")
            : new RedisConnectionException(
                EndPoint,
                $"{command} was not sent: not connected (state {state}){(last is null ? "." : $"; last error: {last.Message}")}",
                last);
    }

    private async Task<RedisPipeline> ConnectPipelineAsync(CancellationToken ct)
    {
        var transport = await RedisTransport.ConnectAsync(_options, _time, ct).ConfigureAwait(false);
        return new RedisPipeline(transport, _options, _logger, _time);
    }

    private void RaiseConnected(bool reconnect)
    {
        try
        {
            Connected?.Invoke();
        }
        catch (Exception ex)
        {
            Log.HookFailed(_logger, EndPoint.ToString(), nameof(Connected), ex);
        }
    }

    private void RaiseDisconnected(Exception reason)
    {
        try
        {
            Disconnected?.Invoke(reason);
        }
        catch (Exception ex)
        {
            Log.HookFailed(_logger, EndPoint.ToString(), nameof(Disconnected), ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = RedisEventIds.HookFailed, Level = LogLevel.Error, Message = "Redis {EndPoint}: a {Hook} handler threw")]
        public static partial void HookFailed(ILogger logger, string endPoint, string hook, Exception exception);
    }
}
