using System.Threading.Channels;
using IsrProxy.Observability;
using IsrProxy.Redis;
using IsrProxy.Storage.Layered;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// Keeps this replica coherent with the others (STYLE 4.4). It opens the Redis connections when the host starts,
/// subscribes to the events channel, and applies what other replicas publish: a written or removed entry leaves L1, a
/// stamp enters the clock. Whenever the subscription is (re)established it resynchronises — queued stamps written, the
/// whole clock read, L1 emptied — and only then trusts L1 again. Stamps nobody waits for are written from here too.
/// </summary>
internal sealed partial class RedisBackplane(
    RedisClients clients,
    RedisKeys keys,
    RedisCacheStore shared,
    RedisClockReplication clock,
    L1Coherence coherence,
    SharedStoreStats stats,
    [FromKeyedServices(RedisClients.NetworkClock)] TimeProvider network,
    ILogger<RedisBackplane> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly Channel<bool> _signals = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    private bool _subscribed;

    /// <summary>True while L1 is trusted: subscribed, and resynchronised since.</summary>
    public bool IsSynchronised => coherence.IsTrusted;

    /// <summary>The subscriber connection's state.</summary>
    public RedisConnectionState SubscriptionState => clients.Subscriber?.State ?? RedisConnectionState.Disconnected;

    public long Reconnects => (clients.Connection?.Reconnects ?? 0) + (clients.Subscriber?.Reconnects ?? 0);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await clients.StartAsync(cancellationToken);
        if (clients.Subscriber is { } subscriber)
        {
            subscriber.Connected += Signal;
            subscriber.Resubscribed += Signal;
            subscriber.Disconnected += OnSubscriptionLost;
        }

        clock.StampsPending += Signal;
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Signal();
        try
        {
            while (await _signals.Reader.WaitToReadAsync(stoppingToken))
            {
                _signals.Reader.TryRead(out _);
                if (!await SynchroniseAsync(stoppingToken))
                {
                    await Task.Delay(RetryDelay, network, stoppingToken);
                    Signal();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping: nothing is left to keep coherent.
        }
    }

    /// <summary>Writes queued stamps and, when L1 is not trusted, resynchronises; false to try again after a delay.</summary>
    private async Task<bool> SynchroniseAsync(CancellationToken ct)
    {
        var flushed = await clock.FlushAsync(ct);
        if (coherence.IsTrusted)
        {
            return flushed;
        }

        if (clients.Subscriber is not { State: RedisConnectionState.Connected } subscriber
            || clients.Connection is not { State: RedisConnectionState.Connected } connection)
        {
            // The subscriber's Connected event brings the next attempt; a missing command connection is retried.
            return clients.Subscriber?.State != RedisConnectionState.Connected;
        }

        var epoch = coherence.Epoch;
        try
        {
            if (!_subscribed)
            {
                await subscriber.SubscribeAsync(keys.Channel, OnMessage, ct);
                _subscribed = true;
            }

            var applied = await clock.ResynchroniseAsync(connection, ct);
            await shared.RefreshCountAsync(ct);
            if (coherence.TryTrust(epoch))
            {
                stats.Resynchronised();
                Log.Resynchronised(logger, applied);
            }

            // Stamps queued while Redis was away, when the first attempt came before the command connection was back.
            return flushed || await clock.FlushAsync(ct);
        }
        catch (Exception ex) when (ex is RedisException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            Log.ResyncFailed(logger, ex.Message);
            return false;
        }
    }

    private void OnMessage(ReadOnlyMemory<byte> payload)
    {
        if (!StoreMessage.TryParse(payload.Span, out var parsed) || parsed is not { } message)
        {
            Log.BadMessage(logger, payload.Length);
            return;
        }

        if (message.Replica == clients.ReplicaId)
        {
            return;                                                   // the echo of this replica's own write
        }

        if (message.Kind == StoreMessageKind.Marked)
        {
            clock.ApplyHeard(message.Name, message.Invalidation, message.At);
        }
        else
        {
            coherence.Invalidate(message.Name);
        }

        stats.MessageApplied();
    }

    private void OnSubscriptionLost(Exception reason)
    {
        coherence.Distrust();
        Log.Distrusted(logger, reason.Message);
        Signal();
    }

    private void Signal() => _signals.Writer.TryWrite(true);

    private static partial class Log
    {
        [LoggerMessage(EventIds.L1Distrusted, LogLevel.Warning, "Redis pub/sub lost ({Reason}); reading Redis on every request until resubscribed and resynchronised", EventName = "L1Distrusted")]
        public static partial void Distrusted(ILogger logger, string reason);

        [LoggerMessage(EventIds.L1Resynchronised, LogLevel.Information, "Subscribed to Redis and resynchronised ({Stamps} clock stamps); L1 is in use", EventName = "L1Resynchronised")]
        public static partial void Resynchronised(ILogger logger, int stamps);

        [LoggerMessage(EventIds.ResyncFailed, LogLevel.Warning, "Resynchronising with Redis failed ({Reason}); retrying", EventName = "ResyncFailed")]
        public static partial void ResyncFailed(ILogger logger, string reason);

        [LoggerMessage(EventIds.BadStoreMessage, LogLevel.Warning, "Ignored a malformed {Bytes}-byte message on the Redis events channel", EventName = "BadStoreMessage")]
        public static partial void BadMessage(ILogger logger, int bytes);
    }
}
