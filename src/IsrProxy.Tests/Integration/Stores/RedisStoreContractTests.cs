using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;
using IsrProxy.Tests.Unit.Storage;

namespace IsrProxy.Tests.Integration.Stores;

/// <summary>The shared level alone: every operation reads and writes Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStoreContractTests(RedisServerFixture redis) : CacheStoreContract
{
    private RedisStoreRig? _rig;

    public override async Task DisposeAsync()
    {
        if (_rig is not null)
        {
            await _rig.DisposeAsync();
        }
    }

    private protected override async Task<ICacheStore> CreateAsync()
    {
        _rig = await RedisStoreRig.ConnectAsync(redis.ConnectionString, RedisServerFixture.UniquePrefix(), new ManualTimeProvider(Entries.T0));
        return _rig.Shared;
    }
}
