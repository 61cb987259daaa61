using Microsoft.Extensions.Logging;

namespace IsrProxy.Redis;

/// <summary>
/// Pub/sub over its own connection (a RESP2 socket in subscribe mode can carry nothing else). Subscriptions survive
/// reconnects: after a lost socket every channel is subscribed again before <see cref="Resubscribed"/> is raised.
/// Messages published while the socket was down are lost, which is why a cache must resynchronise on
/// <see cref="Resubscribed"/> (and distrust its local state between <see cref="Disconnected"/> and then).
/// Handlers run on the read loop, one message at a time in arrival order: keep them short and non-blocking. A handler
/// that throws is logged and counted; the loop goes on. Publishing goes over <see cref="RedisConnection"/>.
/// </summary>
internal sealed partial class RedisSubscriber : IAsyncDisposable
{
    private readonly RedisConnectionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly RedisConnectionSupervisor<RedisSubscriberSession> _supervisor;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Action<ReadOnlyMemory<byte>>[]> _handlers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _changeGate = new(1, 1);
    private long _messages;
    private long _handlerFailures;

    private RedisSubscriber(RedisConnectionOptions options, ILogger logger, TimeProvider time)
    {
        _options = options;
        _logger = logger;
        _time = time;
        _supervisor = new RedisConnectionSupervisor<RedisSubscriberSession>(
            options, logger, time, "pub/sub", ConnectSessionAsync, OnConnected, OnDisconnected);
    }

    /// <summary>Raised after each successful (re)connect.</summary>
    public event Action? Connected;

    /// <summary>Raised after the socket is lost: messages may be missed from now until <see cref="Resubscribed"/>.</summary>
    public event Action<Exception>? Disconnected;

    /// <summary>Raised after a reconnect once every channel is subscribed again.</summary>
    public event Action? Resubscribed;

    public RedisEndPoint EndPoint => _options.EndPoint;

    public RedisConnectionState State => _supervisor.State;

    public Exception? LastError => _supervisor.LastError;

    public long Reconnects => _supervisor.Reconnects;

    public long MessagesReceived => Interlocked.Read(ref _messages);

    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    /// <summary>The channels subscribed to (with at least one handler).</summary>
    public IReadOnlyCollection<string> Channels
    {
        get
        {
            lock (_sync)
            {
                return [.. _handlers.Keys];
            }
        }
    }

    /// <inheritdoc cref="RedisConnection.ConnectAsync"/>
    public static async Task<RedisSubscriber> ConnectAsync(RedisConnectionOptions options, ILogger logger, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        var subscriber = new RedisSubscriber(options, logger, time);
        try
        {
            await subscriber._supervisor.StartAsync(ct).ConfigureAwait(false);
            return subscriber;
        }
        catch
        {
            await subscriber.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Adds a handler for <paramref name="channel"/>; the first handler of a channel subscribes and returns once the
    /// server confirmed. Fails with <see cref="RedisConnectionException"/> while disconnected (nothing is registered
    /// then) and <see cref="RedisTimeoutException"/> when no confirmation comes within syncTimeout. The payload memory
    /// given to the handler is the handler's to keep.
    /// </summary>
    public async Task SubscribeAsync(string channel, Action<ReadOnlyMemory<byte>> handler, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        ArgumentNullException.ThrowIfNull(handler);
        await _changeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                if (_handlers.TryGetValue(channel, out var existing))
                {
                    _handlers[channel] = [.. existing, handler];
                    return;
                }
            }

            var session = _supervisor.Current ?? throw NotConnected("SUBSCRIBE", channel);
            lock (_sync)
            {
                _handlers[channel] = [handler];
            }

            try
            {
                await session.ChangeAsync("SUBSCRIBE", channel, _options.SyncTimeout, ct).ConfigureAwait(false);
            }
            catch
            {
                lock (_sync)
                {
                    _handlers.Remove(channel);
                }

                throw;
            }
        }
        finally
        {
            _changeGate.Release();
        }
    }

    /// <summary>Removes every handler of <paramref name="channel"/> and unsubscribes when connected.</summary>
    public async Task UnsubscribeAsync(string channel, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        await _changeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            lock (_sync)
            {
                if (!_handlers.Remove(channel))
                {
                    return;
                }
            }

            // While disconnected there is nothing to undo: the reconnect subscribes only the channels still registered.
            if (_supervisor.Current is { } session)
            {
                await session.ChangeAsync("UNSUBSCRIBE", channel, _options.SyncTimeout, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _changeGate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _supervisor.DisposeAsync().ConfigureAwait(false);
        _changeGate.Dispose();
    }

    private Task<RedisSubscriberSession> ConnectSessionAsync(CancellationToken ct) =>
        RedisSubscriberSession.ConnectAsync(_options, Channels, Dispatch, _logger, _time, ct);

    private void Dispatch(string channel, ReadOnlyMemory<byte> payload)
    {
        Interlocked.Increment(ref _messages);
        Action<ReadOnlyMemory<byte>>[]? handlers;
        lock (_sync)
        {
            _handlers.TryGetValue(channel, out handlers);
        }

        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers)
        {
            try
            {
                handler(payload);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _handlerFailures);
                Log.HandlerFailed(_logger, EndPoint.ToString(), channel, ex);
            }
        }
    }

    private RedisConnectionException NotConnected(string verb, string channel)
    {
        var last = _supervisor.LastError;
        return new RedisConnectionException(
            EndPoint,
            $"{verb} {channel} was not sent: not connected (state {_supervisor.State}){(last is null ? "." : $"; last error: {last.Message}")}",
            last);
    }

    private void OnConnected(bool reconnect)
    {
        Raise(Connected, nameof(Connected));
        if (reconnect)
        {
            Raise(Resubscribed, nameof(Resubscribed));
        }
    }

    private void OnDisconnected(Exception reason)
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

    private void Raise(Action? hook, string name)
    {
        try
        {
            hook?.Invoke();
        }
        catch (Exception ex)
        {
            Log.HookFailed(_logger, EndPoint.ToString(), name, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = RedisEventIds.MessageHandlerFailed, Level = LogLevel.Error, Message = "Redis {EndPoint}: a handler for channel {Channel} threw")]
        public static partial void HandlerFailed(ILogger logger, string endPoint, string channel, Exception exception);

        [LoggerMessage(EventId = RedisEventIds.HookFailed, Level = LogLevel.Error, Message = "Redis {EndPoint}: a pub/sub {Hook} handler threw")]
        public static partial void HookFailed(ILogger logger, string endPoint, string hook, Exception exception);
    }
}
