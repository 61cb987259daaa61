using System.Buffers;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Redis;

/// <summary>
/// One socket in RESP2 subscribe mode: it carries SUBSCRIBE/UNSUBSCRIBE/PING and receives push arrays
/// (<c>message</c>, <c>subscribe</c>, <c>unsubscribe</c>, <c>pong</c>). Messages are handed to the subscriber as they
/// are parsed.
/// </summary>
internal sealed partial class RedisSubscriberSession : IRedisSession
{
    private readonly RedisTransport _transport;
    private readonly Action<string, ReadOnlyMemory<byte>> _dispatch;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keepAlive;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sync = new();
    private Confirmation? _awaited;
    private Exception? _closeReason;

    private RedisSubscriberSession(
        RedisTransport transport, Action<string, ReadOnlyMemory<byte>> dispatch, RedisConnectionOptions options, ILogger logger, TimeProvider time)
    {
        _transport = transport;
        _dispatch = dispatch;
        _logger = logger;
        _time = time;
        _keepAlive = options.KeepAlive;
    }

    public RedisEndPoint EndPoint => _transport.EndPoint;

    /// <summary>Connects and subscribes to <paramref name="channels"/> before returning, so nothing is missed unseen.</summary>
    public static async Task<RedisSubscriberSession> ConnectAsync(
        RedisConnectionOptions options,
        IReadOnlyCollection<string> channels,
        Action<string, ReadOnlyMemory<byte>> dispatch,
        ILogger logger,
        TimeProvider time,
        CancellationToken ct)
    {
        var transport = await RedisTransport.ConnectAsync(options, time, ct).ConfigureAwait(false);
        var session = new RedisSubscriberSession(transport, dispatch, options, logger, time);
        try
        {
            if (channels.Count > 0)
            {
                await session.SubscribeAllAsync(channels, options.SyncTimeout, ct).ConfigureAwait(false);
            }

            return session;
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends SUBSCRIBE or UNSUBSCRIBE for one channel and waits for the server's confirmation.</summary>
    public async Task ChangeAsync(string verb, string channel, TimeSpan timeout, CancellationToken ct)
    {
        var confirmation = new Confirmation(verb.ToLowerInvariant(), channel);
        lock (_sync)
        {
            if (_closeReason is { } reason)
            {
                throw new RedisConnectionException(EndPoint, $"{verb} {channel} was not sent: the connection closed ({reason.Message}).", reason);
            }

            if (_awaited is not null)
            {
                throw new InvalidOperationException($"{verb} {channel} overlaps another subscription change; they must be serialised.");
            }

            _awaited = confirmation;
        }

        try
        {
            await WriteAsync(new RedisCommand(verb, channel), ct).ConfigureAwait(false);
            await confirmation.Task.WaitAsync(timeout, _time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new RedisTimeoutException(EndPoint, $"{verb} {channel}", timeout, 1);
        }
        finally
        {
            lock (_sync)
            {
                if (ReferenceEquals(_awaited, confirmation))
                {
                    _awaited = null;
                }
            }
        }
    }

    public void Abort(Exception reason)
    {
        Confirmation? awaited;
        lock (_sync)
        {
            if (_closeReason is not null)
            {
                return;
            }

            _closeReason = reason;
            awaited = _awaited;
        }

        awaited?.TrySetException(new RedisConnectionException(EndPoint, $"no confirmation: the connection closed ({reason.Message}).", reason));
        _stop.Cancel();
        _transport.Abort();
    }

    public async Task<Exception> RunAsync()
    {
        await Task.WhenAll(ReadLoopAsync(), KeepAliveLoopAsync()).ConfigureAwait(false);
        Exception reason;
        lock (_sync)
        {
            reason = _closeReason ?? new InvalidOperationException("The subscriber session ended without a reason.");
        }

        await _transport.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        return reason;
    }

    private async Task SubscribeAllAsync(IReadOnlyCollection<string> channels, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        var args = new RedisArg[channels.Count];
        var remaining = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var channel in channels)
        {
            args[i++] = channel;
            remaining.Add(channel);
        }

        await WriteAsync(new RedisCommand("SUBSCRIBE", args), linked.Token).ConfigureAwait(false);
        try
        {
            while (remaining.Count > 0)
            {
                var push = await _transport.ReadValueAsync(linked.Token).ConfigureAwait(false);
                if (push.IsError)
                {
                    throw new RedisConnectionException(EndPoint, $"SUBSCRIBE was rejected: {push.AsString()}");
                }

                var parsed = Handle(push);
                if (parsed.Kind == RedisPushKind.Subscribe)
                {
                    remaining.Remove(parsed.Channel);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new RedisConnectionException(
                EndPoint, $"{remaining.Count} channel(s) not confirmed within {(long)timeout.TotalMilliseconds} ms (syncTimeout) after SUBSCRIBE.");
        }
    }

    private async Task WriteAsync(RedisCommand command, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            RespWriter.WriteCommand(_transport.Output, command);
            var result = await _transport.Output.FlushAsync(ct).ConfigureAwait(false);
            if (result.IsCompleted || result.IsCanceled)
            {
                throw new RedisConnectionException(EndPoint, $"{command.Name} was not sent: the socket stopped accepting data.");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await _transport.ReadValuesAsync(HandlePush, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Abort(ex);
        }
    }

    private void HandlePush(RespValue push)
    {
        if (push.IsError)
        {
            // Only a subscription change can be refused here (e.g. NOPERM for an ACL-restricted channel).
            Confirmation? awaited;
            lock (_sync)
            {
                awaited = _awaited;
            }

            var message = push.AsString() ?? string.Empty;
            if (awaited is null)
            {
                throw new RedisServerException(EndPoint, "SUBSCRIBE", message);
            }

            awaited.TrySetException(new RedisServerException(EndPoint, $"{awaited.Verb} {awaited.Channel}", message));
            return;
        }

        var parsed = Handle(push);
        if (parsed.Kind is RedisPushKind.Subscribe or RedisPushKind.Unsubscribe)
        {
            var verb = parsed.Kind == RedisPushKind.Subscribe ? "subscribe" : "unsubscribe";
            lock (_sync)
            {
                if (_awaited is { } awaited && awaited.Verb == verb && awaited.Channel == parsed.Channel)
                {
                    awaited.TrySetResult();
                }
            }
        }
    }

    /// <summary>Hands a message to the subscriber's handlers and reports anything unexpected.</summary>
    private RedisPush Handle(RespValue reply)
    {
        var push = RedisPush.Parse(reply);
        switch (push.Kind)
        {
            case RedisPushKind.Message:
                _dispatch(push.Channel, push.Payload);
                break;
            case RedisPushKind.Unknown:
                Log.UnexpectedPush(_logger, EndPoint.ToString(), reply.ToString());
                break;
        }

        return push;
    }

    /// <summary>PINGs every keep-alive period, so a dead socket under a quiet channel is noticed.</summary>
    private async Task KeepAliveLoopAsync()
    {
        if (_keepAlive <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            using var timer = new PeriodicTimer(_keepAlive, _time);
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                await WriteAsync(new RedisCommand("PING"), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The session is closing; its reason is recorded by whoever aborted it.
        }
        catch (Exception ex)
        {
            Abort(ex);
        }
    }

    private sealed class Confirmation(string verb, string channel) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public string Verb { get; } = verb;

        public string Channel { get; } = channel;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = RedisEventIds.UnexpectedPush, Level = LogLevel.Warning, Message = "Redis {EndPoint}: ignored unexpected pub/sub reply {Reply}")]
        public static partial void UnexpectedPush(ILogger logger, string endPoint, string reply);
    }
}
