using Microsoft.Extensions.Logging;

namespace IsrProxy.Redis;

/// <summary>
/// Keeps one session alive: connects, runs the session until its socket is lost, and reconnects with exponential,
/// jittered, capped backoff until disposed. The first attempt after a loss is immediate.
/// </summary>
internal sealed partial class RedisConnectionSupervisor<TSession> : IAsyncDisposable
    where TSession : class, IRedisSession
{
    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _role;
    private readonly Func<CancellationToken, Task<TSession>> _connect;
    private readonly Action<bool> _onConnected;
    private readonly Action<Exception> _onDisconnected;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;
    private TSession? _current;
    private Exception? _lastError;
    private int _state;
    private int _disposed;
    private bool _everConnected;
    private long _reconnects;
    private long _connectFailures;

    /// <param name="role">What the socket is for ("commands", "pub/sub"), for logs.</param>
    /// <param name="onConnected">Called with true when the connection is a reconnect.</param>
    public RedisConnectionSupervisor(
        RedisConnectionOptions options,
        ILogger logger,
        TimeProvider time,
        string role,
        Func<CancellationToken, Task<TSession>> connect,
        Action<bool> onConnected,
        Action<Exception> onDisconnected)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _role = role;
        _connect = connect;
        _onConnected = onConnected;
        _onDisconnected = onDisconnected;
    }

    public RedisConnectionState State => (RedisConnectionState)Volatile.Read(ref _state);

    /// <summary>The live session, or null while not connected.</summary>
    public TSession? Current => Volatile.Read(ref _current);

    /// <summary>Why the last connection attempt failed or the last socket was lost.</summary>
    public Exception? LastError => Volatile.Read(ref _lastError);

    public long Reconnects => Interlocked.Read(ref _reconnects);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>
    /// Makes the first connection attempt. With abortConnect=true its failure is thrown; otherwise the supervisor
    /// starts disconnected and keeps trying.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        SetState(RedisConnectionState.Connecting);
        TSession? first = null;
        try
        {
            first = await _connect(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!_options.AbortConnect && !ct.IsCancellationRequested)
        {
            RecordConnectFailure(ex);
        }
        catch
        {
            SetState(RedisConnectionState.Disconnected);
            throw;
        }

        _loop = SuperviseAsync(first);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        await _loop.ConfigureAwait(false);
        SetState(RedisConnectionState.Disposed);
        _stopping.Dispose();
    }

    private async Task SuperviseAsync(TSession? session)
    {
        var token = _stopping.Token;
        var failures = 0;
        while (!token.IsCancellationRequested)
        {
            if (session is null)
            {
                SetState(RedisConnectionState.Connecting);
                try
                {
                    session = await _connect(token).ConfigureAwait(false);
                    failures = 0;
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    RecordConnectFailure(ex);
                    if (!await DelayAsync(Backoff(failures++), token).ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }
            }

            await RunSessionAsync(session, token).ConfigureAwait(false);
            session = null;
        }

        SetState(RedisConnectionState.Disconnected);
    }

    private async Task RunSessionAsync(TSession session, CancellationToken token)
    {
        var reconnect = _everConnected;
        _everConnected = true;
        if (reconnect)
        {
            Interlocked.Increment(ref _reconnects);
        }

        Volatile.Write(ref _current, session);
        SetState(RedisConnectionState.Connected);
        Log.Connected(_logger, _options.EndPoint.ToString(), _role, reconnect);
        _onConnected(reconnect);

        Exception reason;
        using (token.Register(static s => (s as TSession)?.Abort(new ObjectDisposedException("Redis connection", "The Redis connection was disposed.")),
            session))
        {
            reason = await session.RunAsync().ConfigureAwait(false);
        }

        Volatile.Write(ref _current, null);
        Volatile.Write(ref _lastError, reason);
        SetState(RedisConnectionState.Disconnected);
        if (!token.IsCancellationRequested)
        {
            Log.ConnectionLost(_logger, _options.EndPoint.ToString(), _role, reason.Message);
        }

        _onDisconnected(reason);
    }

    private void RecordConnectFailure(Exception ex)
    {
        Volatile.Write(ref _lastError, ex);
        Interlocked.Increment(ref _connectFailures);
        SetState(RedisConnectionState.Disconnected);
        Log.ConnectFailed(_logger, _options.EndPoint.ToString(), _role, ex.Message);
    }

    private TimeSpan Backoff(int failures)
    {
        var exponent = Math.Min(failures, 20);
        var ceiling = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, _options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, exponent));

        // Half fixed, half random: replicas that lost Redis together do not all come back in the same instant.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private async Task<bool> DelayAsync(TimeSpan delay, CancellationToken token)
    {
        try
        {
            await Task.Delay(delay, _time, token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposal during the backoff wait: stop retrying.
            return false;
        }
    }

    private void SetState(RedisConnectionState state) => Volatile.Write(ref _state, (int)state);

    private static partial class Log
    {
        [LoggerMessage(EventId = RedisEventIds.Connected, Level = LogLevel.Information, Message = "Redis {EndPoint}: {Role} connection established (reconnect: {Reconnect})")]
        public static partial void Connected(ILogger logger, string endPoint, string role, bool reconnect);

        [LoggerMessage(EventId = RedisEventIds.ConnectionLost, Level = LogLevel.Warning, Message = "Redis {EndPoint}: {Role} connection lost: {Reason}")]
        public static partial void ConnectionLost(ILogger logger, string endPoint, string role, string reason);

        [LoggerMessage(EventId = RedisEventIds.ConnectFailed, Level = LogLevel.Warning, Message = "Redis {EndPoint}: {Role} connection attempt failed: {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string endPoint, string role, string reason);
    }
}
