using IsrProxy.Storage;
using IsrProxy.Tests.Unit.Storage;

namespace IsrProxy.Tests.Integration.Stores;

/// <summary>
/// What every <see cref="ICacheStore"/> promises (STYLE 2.6), run once per implementation: memory, Redis, and Redis with
/// its L1 in front. Each test gets a fresh store (for Redis: a key prefix of its own).
/// </summary>
public abstract class CacheStoreContract : IAsyncLifetime
{
    private ICacheStore? _store;

    private protected ICacheStore Store => _store ?? throw new InvalidOperationException("InitializeAsync creates the store first.");

    public async Task InitializeAsync() => _store = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Get_NeverStored_IsNull()
    {
        Assert.Null(await Store.GetAsync("/nothing", default));
    }

    [Fact]
    public async Task Set_ThenGet_ReturnsTheEntry()
    {
        var entry = Entries.Make("/blog/a?page=2", bodyBytes: 1234, revalidate: TimeSpan.FromSeconds(60), tags: ["blog"]);

        Assert.True(await Store.SetAsync(entry, default));
        var read = await Store.GetAsync("/blog/a?page=2", default);

        Assert.NotNull(read);
        Assert.Equal(entry.Key, read.Key);
        Assert.Equal(entry.Path, read.Path);
        Assert.Equal(entry.Body.ToArray(), read.Body.ToArray());
        Assert.Equal(entry.RevalidateAt, read.RevalidateAt);
        Assert.Equal(entry.RenderStartedAt, read.RenderStartedAt);
        Assert.Equal(["blog"], read.Tags);
        Assert.Equal(entry.ClockKeys, read.ClockKeys);
    }

    [Fact]
    public async Task Set_NewerRender_ReplacesTheOlder()
    {
        await Store.SetAsync(Entries.Make("/a", bodyBytes: 10), default);

        Assert.True(await Store.SetAsync(Entries.Make("/a", bodyBytes: 20, renderStartedAt: Entries.T0.AddTicks(1)), default));

        Assert.Equal(20, (await Store.GetAsync("/a", default))!.Body.Length);
    }

    [Fact]
    public async Task Set_OlderRender_DoesNotReplaceANewerOne()
    {
        await Store.SetAsync(Entries.Make("/a", bodyBytes: 20, renderStartedAt: Entries.T0.AddTicks(1)), default);

        Assert.False(await Store.SetAsync(Entries.Make("/a", bodyBytes: 10), default));

        Assert.Equal(20, (await Store.GetAsync("/a", default))!.Body.Length);
    }

    [Fact]
    public async Task Set_ConcurrentRenders_TheLatestStartedWins()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Store.SetAsync(Entries.Make("/race", bodyBytes: i + 1, renderStartedAt: Entries.T0.AddMilliseconds((i * 17) % 40)), default).AsTask()));

        var stored = await Store.GetAsync("/race", default);

        Assert.Equal(Entries.T0.AddMilliseconds(39), stored!.RenderStartedAt);
    }

    [Fact]
    public async Task Remove_MakesItAMiss_AndLeavesOthers()
    {
        await Store.SetAsync(Entries.Make("/a"), default);
        await Store.SetAsync(Entries.Make("/b"), default);

        await Store.RemoveAsync("/a", default);

        Assert.Null(await Store.GetAsync("/a", default));
        Assert.NotNull(await Store.GetAsync("/b", default));
        Assert.Equal(1, Store.Count);
    }

    [Fact]
    public async Task Find_ByTagPathOrSubtree_ReturnsTheEntriesCarryingIt()
    {
        await Store.SetAsync(Entries.Make("/blog/a", tags: ["blog"]), default);
        await Store.SetAsync(Entries.Make("/blog/b", tags: ["blog", "b"]), default);
        await Store.SetAsync(Entries.Make("/about", tags: ["site"]), default);

        Assert.Equal(["/blog/a", "/blog/b"], Keys(await Store.FindAsync(ClockKeys.Tag("blog"), 10, default)));
        Assert.Equal(["/blog/b"], Keys(await Store.FindAsync(ClockKeys.Path("/blog/b"), 10, default)));
        Assert.Equal(["/blog/a", "/blog/b"], Keys(await Store.FindAsync(ClockKeys.Subtree("/blog"), 10, default)));
        Assert.Equal(3, (await Store.FindAsync(ClockKeys.Subtree("/"), 10, default)).Count);
        Assert.Empty(await Store.FindAsync(ClockKeys.Tag("none"), 10, default));
    }

    [Fact]
    public async Task Find_StopsAtTheLimit()
    {
        for (var i = 0; i < 150; i++)
        {
            await Store.SetAsync(Entries.Make($"/p/{i}", tags: ["many"]), default);
        }

        Assert.Equal(100, (await Store.FindAsync(ClockKeys.Tag("many"), 100, default)).Count);
        Assert.Equal(150, (await Store.FindAsync(ClockKeys.Tag("many"), 1000, default)).Count);
    }

    [Fact]
    public async Task Find_AfterARenderWithoutTheTag_DoesNotReturnIt()
    {
        await Store.SetAsync(Entries.Make("/a", tags: ["old"]), default);
        await Store.SetAsync(Entries.Make("/a", tags: ["new"], renderStartedAt: Entries.T0.AddSeconds(1)), default);

        Assert.Empty(await Store.FindAsync(ClockKeys.Tag("old"), 10, default));
        Assert.Equal(["/a"], Keys(await Store.FindAsync(ClockKeys.Tag("new"), 10, default)));
    }

    [Fact]
    public async Task Find_AfterRemove_DoesNotReturnIt()
    {
        await Store.SetAsync(Entries.Make("/a", tags: ["t"]), default);
        await Store.RemoveAsync("/a", default);

        Assert.Empty(await Store.FindAsync(ClockKeys.Tag("t"), 10, default));
    }

    [Fact]
    public async Task List_ByPathPrefix_InPathOrder_WithoutVaryMarkers_UpToTheLimit()
    {
        foreach (var key in new[] { "/blog/b", "/blog/a?x=1", "/blog/a", "/docs/a", "/blogroll" })
        {
            await Store.SetAsync(Entries.Make(key), default);
        }

        await Store.SetAsync(Marker("/blog/c"), default);

        Assert.Equal(["/blog/a", "/blog/a?x=1", "/blog/b"], InOrder(await Store.ListAsync("/blog/", 10, default)));
        Assert.Equal(["/blog/a", "/blog/a?x=1", "/blog/b", "/blogroll"], InOrder(await Store.ListAsync("/blog", 10, default)));
        Assert.Equal(["/blog/a", "/blog/a?x=1"], InOrder(await Store.ListAsync("/blog", 2, default)));
        Assert.Equal(5, (await Store.ListAsync("/", 100, default)).Count);
        Assert.Empty(await Store.ListAsync("/none", 10, default));
    }

    [Fact]
    public async Task List_AfterRemove_DoesNotReturnIt()
    {
        await Store.SetAsync(Entries.Make("/blog/a"), default);
        await Store.SetAsync(Entries.Make("/blog/b"), default);

        await Store.RemoveAsync("/blog/a", default);

        Assert.Equal(["/blog/b"], Keys(await Store.ListAsync("/blog", 10, default)));
    }

    [Fact]
    public async Task Count_CountsResponsesAndVaryMarkers()
    {
        await Store.SetAsync(Entries.Make("/a"), default);
        await Store.SetAsync(Entries.Make("/b"), default);
        await Store.SetAsync(Marker("/c"), default);
        await Store.SetAsync(Entries.Make("/a", renderStartedAt: Entries.T0.AddSeconds(1)), default);

        Assert.Equal(3, Store.Count);
    }

    [Fact]
    public async Task Set_TenMegabyteBody_RoundTrips()
    {
        var entry = Entries.Make("/big", bodyBytes: 10 * 1024 * 1024);
        new Random(7).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsMemory(entry.Body).Span);

        Assert.True(await Store.SetAsync(entry, default));

        var read = await Store.GetAsync("/big", default);
        Assert.True(entry.Body.Span.SequenceEqual(read!.Body.Span));
    }

    private protected abstract Task<ICacheStore> CreateAsync();

    private static CacheEntry Marker(string key) => new()
    {
        Key = key,
        Path = key,
        PathAndQuery = key,
        RenderStartedAt = Entries.T0,
        GeneratedAt = Entries.T0,
        VaryOn = ["accept-encoding"],
        IsVaryMarker = true,
    };

    private static string[] InOrder(IEnumerable<CacheEntry> entries) => [.. entries.Select(e => e.Key)];

    private static string[] Keys(IEnumerable<CacheEntry> entries) => [.. entries.Select(e => e.Key).Order(StringComparer.Ordinal)];
}
