using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;
using IsrProxy.Tests.Unit.Storage;

namespace IsrProxy.Tests.Integration.Stores;

/// <summary>Redis with its L1 in front and the backplane running, as a replica uses it.</summary>
[Collection(RedisCollection.Name)]
public sealed class LayeredStoreContractTests(RedisServerFixture redis) : CacheStoreContract
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
        _rig = await RedisStoreRig.StartAsync(redis.ConnectionString, RedisServerFixture.UniquePrefix(), new ManualTimeProvider(Entries.T0));
        return _rig.Layered;
    }
}
