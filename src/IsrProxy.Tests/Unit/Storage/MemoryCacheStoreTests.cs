using IsrProxy.Storage.Memory;

namespace IsrProxy.Tests.Unit.Storage;

public sealed class MemoryCacheStoreTests
{
    [Fact]
    public async Task Set_ThenGet_ReturnsTheSameEntry_AndCountsIt()
    {
        var store = new MemoryCacheStore(1_000_000);
        var entry = Entries.Make("/a");

        Assert.True(await store.SetAsync(entry, default));

        Assert.Same(entry, await store.GetAsync("/a", default));
        Assert.Null(await store.GetAsync("/b", default));
        Assert.Equal(1, store.Count);
        Assert.Equal(entry.Size, store.Bytes);
    }

    [Fact]
    public void LookupByCharacters_FindsWhatTheStringKeyFinds()
    {
        var store = new MemoryCacheStore(1_000_000);
        var entry = Entries.Make("/blog/a");
        store.Set(entry);
        var spelled = "x/blog/a/".ToCharArray();

        Assert.True(store.TryGetInProcess(spelled.AsSpan(1, 7), out var found));
        Assert.Same(entry, found);
        Assert.False(store.TryGetInProcess(spelled.AsSpan(1, 8), out _));
        Assert.False(store.TryGetInProcess("/BLOG/A", out _));                 // keys are exact
    }

    [Fact]
    public async Task Eviction_KeepsTheStoreUnderItsByteBound()
    {
        var probe = Entries.Make("/probe-0000", bodyBytes: 10_000).Size;
        var store = new MemoryCacheStore(probe * 10);
        var evicted = 0;
        store.Evicted += _ => evicted++;

        for (var i = 0; i < 1000; i++)
        {
            await store.SetAsync(Entries.Make($"/probe-{i:0000}", bodyBytes: 10_000), default);
            Assert.True(store.Bytes <= store.MaxBytes, $"{store.Bytes} bytes held after {i + 1} writes");
        }

        Assert.Equal(10, store.Count);
        Assert.Equal(990, evicted);
        Assert.NotNull(await store.GetAsync("/probe-0999", default));         // the newest survives
    }

    [Fact]
    public async Task Eviction_GivesRecentlyReadEntriesASecondChance()
    {
        var size = Entries.Make("/k0", bodyBytes: 1000).Size;
        var store = new MemoryCacheStore(size * 4);
        for (var i = 0; i < 4; i++)
        {
            await store.SetAsync(Entries.Make($"/k{i}", bodyBytes: 1000), default);
        }

        await store.GetAsync("/k0", default);                                 // /k0 is hot, /k1 is not
        await store.SetAsync(Entries.Make("/k4", bodyBytes: 1000), default);

        Assert.NotNull(await store.GetAsync("/k0", default));
        Assert.Null(await store.GetAsync("/k1", default));
    }

    [Fact]
    public async Task Set_OlderRender_DoesNotReplaceANewerOne()
    {
        var store = new MemoryCacheStore(1_000_000);
        var newer = Entries.Make("/a", renderStartedAt: Entries.T0.AddSeconds(10));
        await store.SetAsync(newer, default);

        var stored = await store.SetAsync(Entries.Make("/a", renderStartedAt: Entries.T0), default);

        Assert.False(stored);
        Assert.Same(newer, await store.GetAsync("/a", default));
    }

    [Fact]
    public async Task Set_Replacing_AdjustsBytes()
    {
        var store = new MemoryCacheStore(1_000_000);
        await store.SetAsync(Entries.Make("/a", bodyBytes: 100), default);
        var bigger = Entries.Make("/a", bodyBytes: 5000, renderStartedAt: Entries.T0.AddSeconds(1));

        await store.SetAsync(bigger, default);

        Assert.Equal(bigger.Size, store.Bytes);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task Set_LargerThanTheWholeStore_IsRefused()
    {
        var store = new MemoryCacheStore(1000);

        Assert.False(await store.SetAsync(Entries.Make("/huge", bodyBytes: 5000), default));
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
    }

    [Fact]
    public async Task Remove_FreesTheBytes()
    {
        var store = new MemoryCacheStore(1_000_000);
        await store.SetAsync(Entries.Make("/a"), default);
        await store.SetAsync(Entries.Make("/b"), default);

        await store.RemoveAsync("/a", default);

        Assert.Null(await store.GetAsync("/a", default));
        Assert.Equal(1, store.Count);
        Assert.Equal(Entries.Make("/b").Size, store.Bytes);
    }

    [Fact]
    public async Task Clear_DropsEveryEntryAndItsIndex_AndTheStoreStaysUsable()
    {
        var store = new MemoryCacheStore(1_000_000);
        await store.SetAsync(Entries.Make("/a", tags: ["t"]), default);
        await store.SetAsync(Entries.Make("/b", tags: ["t"]), default);

        store.Clear();

        Assert.Null(await store.GetAsync("/a", default));
        Assert.Empty(await store.FindAsync(IsrProxy.Storage.ClockKeys.Tag("t"), 10, default));
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.Bytes);
        Assert.True(await store.SetAsync(Entries.Make("/c"), default));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task ConcurrentWritersAndReaders_KeepTheAccountingExact()
    {
        var size = Entries.Make("/c-000").Size;
        var store = new MemoryCacheStore(size * 50);
        await Parallel.ForEachAsync(Enumerable.Range(0, 4000), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, ct) =>
        {
            await store.SetAsync(Entries.Make($"/c-{i % 200:000}", renderStartedAt: Entries.T0.AddMilliseconds(i)), ct);
            await store.GetAsync($"/c-{(i * 7) % 200:000}", ct);
        });

        Assert.True(store.Bytes <= store.MaxBytes);
        Assert.Equal(store.Count * size, store.Bytes);
    }
}
