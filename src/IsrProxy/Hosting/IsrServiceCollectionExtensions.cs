using IsrProxy.Caching;
using IsrProxy.Caching.Connections;
using IsrProxy.Configuration;
using IsrProxy.NextJs;
using IsrProxy.Observability;
using IsrProxy.Proxy;
using IsrProxy.Purge;
using IsrProxy.Revalidation;
using IsrProxy.Rules;
using IsrProxy.Storage;
using IsrProxy.Storage.Layered;
using IsrProxy.Storage.Memory;
using IsrProxy.Storage.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IsrProxy.Hosting;

internal static class IsrServiceCollectionExtensions
{
    /// <summary>Registers IsrProxy: options (validated at startup), rules, store, cache flow, origin access and background work.</summary>
    public static IServiceCollection AddIsrProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IsrOptions>().Bind(configuration.GetSection(IsrOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IsrOptions>, IsrOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        services.AddIsrMetricsCollection(configuration);
        services.AddSingleton<IsrMetrics>();
        services.AddSingleton<ReadinessProbe>();
        services.AddSingleton<RuleSetProvider>();
        services.AddSingleton<TagClock>();
        // The store is chosen once, here: changing Isr:Store:Kind takes a restart (its value is validated at start).
        var kind = configuration[$"{IsrOptions.Section}:{nameof(IsrOptions.Store)}:{nameof(StoreOptions.Kind)}"];
        if (new StoreOptions { Kind = kind ?? StoreOptions.MemoryKind }.IsRedis)
        {
            AddRedisStore(services);
        }
        else
        {
            AddMemoryStore(services);
        }

        services.AddSingleton<RequestClassifier>();
        services.AddSingleton<CacheLookup>();
        services.AddSingleton<ConnectionHitServer>();
        services.AddSingleton<MissCoalescer>();
        services.AddSingleton<MissHandler>();
        services.AddSingleton<HitForPass>();
        services.AddSingleton<NotFoundPages>();
        services.AddSingleton<NextJsState>();
        services.AddSingleton<NextTagRegistry>();
        services.AddSingleton<NextJsFills>();

        services.AddHttpForwarder();
        services.AddSingleton<OriginEndpoint>();
        services.AddSingleton<OriginClient>();
        services.AddSingleton<OriginForwarder>();

        services.AddSingleton<SecretVerifier>();
        services.AddSingleton<PurgeService>();

        services.AddSingleton<ShutdownDrain>();
        services.AddSingleton<CacheFiller>();
        services.AddSingleton<RegenerationQueue>();
        services.AddSingleton<RegenerationWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<RegenerationWorker>());
        services.AddSingleton<SitemapPaths>();
        services.AddSingleton<Prerenderer>();
        services.AddHostedService(sp => sp.GetRequiredService<Prerenderer>());

        // In-flight requests and regenerations get the drain timeout, plus a margin for the host's own stop.
        var drainSeconds = configuration.GetValue($"{IsrOptions.Section}:Regeneration:ShutdownTimeoutSeconds", new RegenerationOptions().ShutdownTimeoutSeconds);
        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(0, drainSeconds) + 5));
        return services;
    }

    private static void AddMemoryStore(IServiceCollection services)
    {
        services.AddSingleton<MemoryCacheStore>();
        services.AddSingleton<ICacheStore>(sp => sp.GetRequiredService<MemoryCacheStore>());
        services.AddSingleton<IRegenerationLock, MemoryRegenerationLock>();
        services.AddSingleton<IClockReplication, MemoryClockReplication>();
    }

    // Registered before every other hosted service, so the Redis connections are opened (or being retried) before
    // regenerations and prerendering start, and closed after them.
    private static void AddRedisStore(IServiceCollection services)
    {
        services.TryAddKeyedSingleton(RedisClients.NetworkClock, TimeProvider.System);
        services.AddSingleton<RedisClients>();
        services.AddSingleton<RedisKeys>();
        services.AddSingleton<RedisStoreScripts>();
        services.AddSingleton<SharedStoreStats>();
        services.AddSingleton<RedisGuard>();
        services.AddSingleton(sp => new MemoryCacheStore(sp.GetRequiredService<IOptions<IsrOptions>>().Value.Store.L1MaxBytes));
        services.AddSingleton<L1Coherence>();
        services.AddSingleton<RedisCacheStore>();
        services.AddSingleton<RedisClockReplication>();
        services.AddSingleton<IClockReplication>(sp => sp.GetRequiredService<RedisClockReplication>());
        services.AddSingleton<LayeredCacheStore>();
        services.AddSingleton<ICacheStore>(sp => sp.GetRequiredService<LayeredCacheStore>());
        services.AddSingleton<IRegenerationLock, RedisRegenerationLock>();
        services.AddSingleton<RedisBackplane>();
        services.AddHostedService(sp => sp.GetRequiredService<RedisBackplane>());
    }
}
