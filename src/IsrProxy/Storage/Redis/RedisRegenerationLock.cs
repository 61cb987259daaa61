using IsrProxy.Observability;
using IsrProxy.Redis;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// The regeneration lease of a key across replicas: a random token and a deadline (the hold time on Redis's clock),
/// set by a script that first checks whether a newer render than the stale one is already stored (then nobody needs to
/// render) and takes over a lease past its deadline. The key has no TTL, so a Redis evicting keys with one never drops
/// a held lease. Released by a compare-and-delete, so a replica never frees a lease that expired and was taken by
/// another. With Redis unreachable the lease is granted: this replica renders for itself.
/// </summary>
internal sealed partial class RedisRegenerationLock(
    RedisGuard guard,
    RedisKeys keys,
    RedisStoreScripts scripts,
    ILogger<RedisRegenerationLock> logger) : IRegenerationLock
{
    private const long Taken = 1;

    public async ValueTask<IAsyncDisposable?> TryAcquireAsync(CacheEntry stale, TimeSpan hold, CancellationToken ct)
    {
        var token = Guid.NewGuid().ToString("N");
        var lockKey = keys.Lock(stale.Key);
        var holdMs = Math.Max(1, (long)Math.Ceiling(hold.TotalMilliseconds));
        var result = await guard.RunAsync(
            async (connection, t) => (await connection.EvaluateAsync(
                scripts.Acquire,
                [lockKey, keys.Entry(stale.Key)],
                [token, holdMs, RedisStamps.Format(stale.RenderStartedAt)],
                t)).AsInt64(),
            ct);
        if (!result.Succeeded)
        {
            return new Lease(this, lockKey, token, stale.Path, held: false);
        }

        return result.Value == Taken ? new Lease(this, lockKey, token, stale.Path, held: true) : null;
    }

    private async ValueTask ReleaseAsync(string lockKey, string token, string path)
    {
        var released = await guard.RunAsync(
            async (connection, t) => (await connection.EvaluateAsync(scripts.Release, [lockKey], [token], t)).AsInt64(),
            CancellationToken.None);
        if (!released.Succeeded)
        {
            Log.ReleaseFailed(logger, path);                       // past its deadline the next replica takes it over
        }
    }

    private sealed class Lease(RedisRegenerationLock owner, string lockKey, string token, string path, bool held) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => held ? owner.ReleaseAsync(lockKey, token, path) : ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.LockReleaseFailed, LogLevel.Debug, "Could not release the regeneration lock of {Path}; it is taken over after its hold time", EventName = "LockReleaseFailed")]
        public static partial void ReleaseFailed(ILogger logger, string path);
    }
}
