using IsrProxy.Configuration;
using IsrProxy.Storage;
using IsrProxy.Storage.Layered;
using IsrProxy.Storage.Memory;
using IsrProxy.Storage.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// The Redis-mode store of one replica, wired by hand without a web host: connections, the shared store, L1, the clock
/// and (when started) the backplane. Several rigs on one prefix behave as replicas of one site.
/// </summary>
internal sealed class RedisStoreRig : IAsyncDisposable
{
    private bool _backplaneStarted;

    private RedisStoreRig(IOptions<IsrOptions> options, TimeProvider time, TestLogSink logs)
    {
        Options = options;
        Logs = logs;
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        Loggers = loggers;
        Clock = new TagClock();
        Stats = new SharedStoreStats();
        Clients = new RedisClients(options, loggers, TimeProvider.System, loggers.CreateLogger<RedisClients>());
        Keys = new RedisKeys(options);
        Scripts = new RedisStoreScripts();
        Guard = new RedisGuard(Clients, Stats, options, TimeProvider.System, loggers.CreateLogger<RedisGuard>());
        Shared = new RedisCacheStore(Clients, Keys, Scripts, options, time);
        L1 = new MemoryCacheStore(options.Value.Store.L1MaxBytes);
        Coherence = new L1Coherence(L1);
        Replication = new RedisClockReplication(Clock, Clients, Guard, Keys, Scripts, options, time, loggers.CreateLogger<RedisClockReplication>());
        Layered = new LayeredCacheStore(Shared, Coherence, Replication, Guard, Stats);
        Lock = new RedisRegenerationLock(Guard, Keys, Scripts, loggers.CreateLogger<RedisRegenerationLock>());
        Backplane = new RedisBackplane(Clients, Keys, Shared, Replication, Coherence, Stats, TimeProvider.System, loggers.CreateLogger<RedisBackplane>());
    }

    public IOptions<IsrOptions> Options { get; }

    public TestLogSink Logs { get; }

    public ILoggerFactory Loggers { get; }

    public TagClock Clock { get; }

    public SharedStoreStats Stats { get; }

    public RedisClients Clients { get; }

    public RedisKeys Keys { get; }

    public RedisStoreScripts Scripts { get; }

    public RedisGuard Guard { get; }

    public RedisCacheStore Shared { get; }

    public MemoryCacheStore L1 { get; }

    public L1Coherence Coherence { get; }

    public RedisClockReplication Replication { get; }

    public LayeredCacheStore Layered { get; }

    public RedisRegenerationLock Lock { get; }

    public RedisBackplane Backplane { get; }

    /// <summary>Connects (without the backplane: L1 stays untrusted, every lookup reads Redis).</summary>
    public static async Task<RedisStoreRig> ConnectAsync(string connectionString, string prefix, TimeProvider? time = null, Action<StoreOptions>? configure = null)
    {
        var options = new IsrOptions { Origin = "http://127.0.0.1:1" };
        options.Store.Kind = StoreOptions.RedisKind;
        options.Store.Redis = connectionString;
        options.Store.KeyPrefix = prefix;
        options.Store.TimeoutMilliseconds = (int)Eventually.DefaultTimeout.TotalMilliseconds;   // slow under load is not down
        configure?.Invoke(options.Store);
        var rig = new RedisStoreRig(Microsoft.Extensions.Options.Options.Create(options), time ?? TimeProvider.System, new TestLogSink());
        await rig.Clients.StartAsync(CancellationToken.None);
        return rig;
    }

    /// <summary>Connects and starts the backplane, then waits until L1 is trusted.</summary>
    public static async Task<RedisStoreRig> StartAsync(string connectionString, string prefix, TimeProvider? time = null, Action<StoreOptions>? configure = null)
    {
        var rig = await ConnectAsync(connectionString, prefix, time, configure);
        await rig.Backplane.StartAsync(CancellationToken.None);
        rig._backplaneStarted = true;
        await Eventually.TrueAsync(() => rig.Backplane.IsSynchronised, "the backplane subscribed and resynchronised");
        return rig;
    }

    public async ValueTask DisposeAsync()
    {
        if (_backplaneStarted)
        {
            await Backplane.StopAsync(CancellationToken.None);
        }

        Backplane.Dispose();
        Replication.Dispose();
        await Clients.DisposeAsync();
        Loggers.Dispose();
    }
}
