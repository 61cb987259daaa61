using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Redis;

/// <summary>
/// Commands over one socket: callers queue commands into a channel; one write loop sends them back to back and
/// flushes once per batch; one read loop matches each reply to the oldest command awaiting one (Redis answers in
/// order). When the socket ends, every command queued or awaiting a reply fails with
/// <see cref="RedisConnectionException"/>.
/// </summary>
internal sealed partial class RedisPipeline : IRedisSession
{
    /// <summary>Flush mid-batch past this many bytes so a burst of large values does not sit in memory twice.</summary>
    private const long FlushThreshold = 1024 * 1024;

    private readonly RedisTransport _transport;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly TimeSpan _keepAlive;
    private readonly TimeSpan _syncTimeout;
    private readonly int _maxInFlight;
    private readonly Channel<PendingCommand> _outgoing =
        Channel.CreateUnbounded<PendingCommand>(new UnboundedChannelOptions { SingleReader = true });

    private readonly ConcurrentQueue<PendingCommand> _awaitingReply = new();
    private readonly CancellationTokenSource _stop = new();
    private int _inFlight;
    private int _wroteSinceTick;
    private Exception? _closeReason;

    public RedisPipeline(RedisTransport transport, RedisConnectionOptions options, ILogger logger, TimeProvider time)
    {
        _transport = transport;
        _logger = logger;
        _time = time;
        _keepAlive = options.KeepAlive;
        _syncTimeout = options.SyncTimeout;
        _maxInFlight = options.MaxInFlight;
    }

    public RedisEndPoint EndPoint => _transport.EndPoint;

    /// <summary>Commands queued or sent and not yet answered.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Queues a command for sending, or throws <see cref="RedisConnectionException"/> when it cannot be.</summary>
    public void Enqueue(PendingCommand command)
    {
        if (Interlocked.Increment(ref _inFlight) > _maxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            throw new RedisConnectionException(
                EndPoint, $"{command.Name} refused: {_maxInFlight} commands are already in flight (the limit).");
        }

        if (!_outgoing.Writer.TryWrite(command))
        {
            Interlocked.Decrement(ref _inFlight);
            var reason = Volatile.Read(ref _closeReason);
            throw new RedisConnectionException(
                EndPoint, $"{command.Name} was not sent: the connection is closing ({reason?.Message}).", reason);
        }
    }

    public void Abort(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        _stop.Cancel();
        _transport.Abort();
    }

    public async Task<Exception> RunAsync()
    {
        // Each loop catches its own failure and aborts the session, which ends the other loops.
        await Task.WhenAll(ReadLoopAsync(), WriteLoopAsync(), KeepAliveLoopAsync()).ConfigureAwait(false);
        var reason = Volatile.Read(ref _closeReason) ?? new InvalidOperationException("The session ended without a reason.");
        FailAll(reason);
        await _transport.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        return reason;
    }

    private void FailAll(Exception reason)
    {
        _outgoing.Writer.TryComplete();
        while (_outgoing.Reader.TryRead(out var command))
        {
            Retire();
            command.Fail(new RedisConnectionException(EndPoint, $"{command.Name} was not sent: the connection closed ({reason.Message}).", reason));
        }

        while (_awaitingReply.TryDequeue(out var command))
        {
            Retire();
            command.Fail(new RedisConnectionException(EndPoint, $"{command.Name} got no reply: the connection closed ({reason.Message}).", reason));
        }
    }

    private void Retire() => Interlocked.Decrement(ref _inFlight);

    private async Task WriteLoopAsync()
    {
        var output = _transport.Output;
        var queue = _outgoing.Reader;
        try
        {
            while (await queue.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (queue.TryRead(out var command))
                {
                    if (!command.TryMarkWritten())
                    {
                        Retire();
                        command.TrySetCanceled();
                        continue;
                    }

                    // Queued before its bytes go out, so its reply always finds it.
                    _awaitingReply.Enqueue(command);
                    RespWriter.WriteCommand(output, command.Command);
                    command.ReleaseArguments();
                    if (output.UnflushedBytes >= FlushThreshold)
                    {
                        await FlushAsync(output).ConfigureAwait(false);
                    }
                }

                await FlushAsync(output).ConfigureAwait(false);
                Volatile.Write(ref _wroteSinceTick, 1);
            }
        }
        catch (Exception ex)
        {
            Abort(ex);
        }
    }

    private async ValueTask FlushAsync(System.IO.Pipelines.PipeWriter output)
    {
        var result = await output.FlushAsync(_stop.Token).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new RedisConnectionException(EndPoint, "the socket stopped accepting data.");
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await _transport.ReadValuesAsync(DispatchReply, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Abort(ex);
        }
    }

    private void DispatchReply(RespValue reply)
    {
        if (!_awaitingReply.TryDequeue(out var command))
        {
            throw new RespProtocolException($"RESP: reply {reply} arrived with no command awaiting it.");
        }

        Retire();
        command.Complete(reply, EndPoint);
    }

    /// <summary>Sends PING when a keep-alive period passed without a write, so idle sockets are exercised.</summary>
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
                if (Interlocked.Exchange(ref _wroteSinceTick, 0) == 1)
                {
                    continue;
                }

                var ping = new PendingCommand(new RedisCommand("PING"));
                Enqueue(ping);
                try
                {
                    await ping.Task.WaitAsync(_syncTimeout, _time, _stop.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    ping.Abandon();
                    Log.KeepAliveFailed(_logger, EndPoint.ToString(), "no PONG within syncTimeout");
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // The session is closing; its reason is recorded by whoever aborted it.
        }
        catch (RedisException ex)
        {
            // The session is closing too (the read loop reports why); keep-alive only notes it.
            Log.KeepAliveFailed(_logger, EndPoint.ToString(), ex.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = RedisEventIds.KeepAliveFailed, Level = LogLevel.Debug, Message = "Redis {EndPoint}: keep-alive PING failed: {Reason}")]
        public static partial void KeepAliveFailed(ILogger logger, string endPoint, string reason);
    }
}
