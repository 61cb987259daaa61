using IsrProxy.Storage;
using IsrProxy.Storage.Memory;

namespace IsrProxy.Tests.Integration.Stores;

public sealed class MemoryStoreContractTests : CacheStoreContract
{
    private protected override Task<ICacheStore> CreateAsync() => Task.FromResult<ICacheStore>(new MemoryCacheStore(64L * 1024 * 1024));
}
