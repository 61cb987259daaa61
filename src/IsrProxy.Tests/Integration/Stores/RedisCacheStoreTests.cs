using System.Text;
using System.Threading.Channels;
using IsrProxy.Redis;
using IsrProxy.Storage;
using IsrProxy.Storage.Redis;
using IsrProxy.Tests.Fixtures;
using IsrProxy.Tests.Unit.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsrProxy.Tests.Integration.Stores;

/// <summary>The Redis store's keys, TTLs, scripts and messages, checked raw through a second connection.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisCacheStoreTests(RedisServerFixture redis) : IAsyncLifetime
{
    private readonly string _prefix = RedisServerFixture.UniquePrefix();
    private readonly ManualTimeProvider _time = new(Entries.T0);
    private RedisStoreRig? _rig;
    private RedisConnection? _raw;

    private RedisStoreRig Rig => _rig ?? throw new InvalidOperationException("not initialised");

    private RedisConnection Raw => _raw ?? throw new InvalidOperationException("not initialised");

    public async Task InitializeAsync()
    {
        _rig = await RedisStoreRig.ConnectAsync(redis.ConnectionString, _prefix, _time, o => o.MaxStaleAgeSeconds = 3600);
        _raw = await redis.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        await Raw.DisposeAsync();
        await Rig.DisposeAsync();
    }

    [Fact]
    public async Task Set_WritesOneHashPerKey_UnderThePrefix_WithItsIndexAndListing()
    {
        var entry = Entries.Make("/blog/a?x=1", tags: ["blog"]);

        await Rig.Shared.SetAsync(entry, default);

        var hash = await Raw.HGetAllAsync(_prefix + "e:/blog/a?x=1", default);
        Assert.Equal(["b", "m", "p", "r"], hash.Keys.Order());
        Assert.Equal(RedisStamps.Format(entry.RenderStartedAt), Encoding.ASCII.GetString(hash["r"]));
        Assert.Equal(entry.Body.Length, hash["b"].Length);
        Assert.Equal(["/blog/a?x=1"], await Raw.SMembersAsync(_prefix + "i:t|blog", default));
        Assert.Equal(["/blog/a?x=1"], await Raw.SMembersAsync(_prefix + "i:l|/blog", default));
        Assert.Equal(["/blog/a\0/blog/a?x=1"], await Raw.ZRangeByLexAsync(_prefix + "paths", "-"u8.ToArray(), "+"u8.ToArray(), 10, default));
    }

    [Fact]
    public async Task Set_EntryCachedUntilPurged_ExpiresAfterTheMaximumStaleAge()
    {
        await Rig.Shared.SetAsync(Entries.Make("/forever"), default);

        var ttl = await PTtlAsync(_prefix + "e:/forever");

        Assert.InRange(ttl, 3_590_000, 3_600_000);
        Assert.InRange(await PTtlAsync(_prefix + "i:p|/forever"), 3_590_000, 3_600_000);
        Assert.InRange(await PTtlAsync(_prefix + "paths"), 3_590_000, 3_600_000);
    }

    [Fact]
    public async Task Set_RevalidatingEntry_ExpiresWithItsStaleAndErrorWindows()
    {
        var entry = Entries.Make("/short", revalidate: TimeSpan.FromSeconds(60), maxStale: TimeSpan.FromSeconds(120), staleIfError: TimeSpan.FromSeconds(30));

        await Rig.Shared.SetAsync(entry, default);

        Assert.InRange(await PTtlAsync(_prefix + "e:/short"), 200_000, 210_000);   // 60 + 120 + 30 s
    }

    [Fact]
    public async Task Set_OlderRender_LeavesTheStoredHashUntouched()
    {
        var newer = Entries.Make("/a", bodyBytes: 5, renderStartedAt: Entries.T0.AddSeconds(5));
        await Rig.Shared.SetAsync(newer, default);

        Assert.False(await Rig.Shared.SetAsync(Entries.Make("/a", bodyBytes: 9), default));

        Assert.Equal(RedisStamps.Format(newer.RenderStartedAt), Encoding.ASCII.GetString((await Raw.HGetAsync(_prefix + "e:/a", "r", default))!));
        Assert.Equal(5, (await Raw.HGetAsync(_prefix + "e:/a", "b", default))!.Length);
    }

    [Fact]
    public async Task Set_PublishesTheWrite_OnTheEventsChannel()
    {
        await using var subscriber = await RedisSubscriber.ConnectAsync(
            RedisServerFixture.Options(redis.ConnectionString), NullLogger.Instance, TimeProvider.System, default);
        var heard = Channel.CreateUnbounded<string>();
        await subscriber.SubscribeAsync(_prefix + "events", m => heard.Writer.TryWrite(Encoding.UTF8.GetString(m.Span)), default);

        await Rig.Shared.SetAsync(Entries.Make("/a"), default);
        await Rig.Shared.RemoveAsync("/a", default);

        Assert.Equal(StoreMessage.Written(Rig.Clients.ReplicaId, "/a"), await Eventually.WithinAsync(heard.Reader.ReadAsync().AsTask(), "the write message"));
        Assert.Equal(StoreMessage.Removed(Rig.Clients.ReplicaId, "/a"), await Eventually.WithinAsync(heard.Reader.ReadAsync().AsTask(), "the removal message"));
    }

    [Fact]
    public async Task Find_ReturnsWhatARefreshNeeds_WithoutMovingTheBody()
    {
        var entry = Entries.Make("/blog/a?x=1", bodyBytes: 100_000, tags: ["blog"]);
        await Rig.Shared.SetAsync(entry, default);

        var found = Assert.Single(await Rig.Shared.FindAsync(ClockKeys.Tag("blog"), 10, default));

        Assert.Equal(entry.PathAndQuery, found.PathAndQuery);
        Assert.Equal(entry.RenderStartedAt, found.RenderStartedAt);
        Assert.Equal(0, found.Body.Length);
    }

    [Fact]
    public async Task Get_UnknownFormatVersion_IsAMiss()
    {
        await Rig.Shared.SetAsync(Entries.Make("/a"), default);
        await Raw.HSetAsync(_prefix + "e:/a", "m", new byte[] { 99, 0, 0 }, default);

        Assert.Null(await Rig.Shared.GetAsync("/a", default));
    }

    [Fact]
    public async Task Set_PrunesEntriesPastTheirExpiry_FromTheCountAndListing()
    {
        await Rig.Shared.SetAsync(Entries.Make("/old", revalidate: TimeSpan.FromSeconds(1), maxStale: TimeSpan.Zero), default);
        await Rig.Shared.SetAsync(Entries.Make("/kept"), default);
        Assert.Equal(2, Rig.Shared.Count);

        _time.Advance(TimeSpan.FromSeconds(10));
        await Rig.Shared.SetAsync(Entries.Make("/new", renderStartedAt: _time.GetUtcNow()), default);

        Assert.Equal(2, Rig.Shared.Count);
        Assert.Equal(
            ["/kept\0/kept", "/new\0/new"],
            await Raw.ZRangeByLexAsync(_prefix + "paths", "-"u8.ToArray(), "+"u8.ToArray(), 10, default));
    }

    [Fact]
    public async Task ClockStamps_OnlyMoveForward_AndAnExpireRaisesTheStaleStamp()
    {
        var key = ClockKeys.Tag("blog");
        Rig.Clock.MarkStale(key, Entries.T0.AddSeconds(10));
        Rig.Clock.MarkExpired(key, Entries.T0.AddSeconds(5));
        Assert.True(await Rig.Replication.FlushAsync(default));
        Assert.Equal($"{RedisStamps.Format(Entries.T0.AddSeconds(10))}:{RedisStamps.Format(Entries.T0.AddSeconds(5))}", await ClockValueAsync(key));

        Rig.Clock.MarkExpired(key, Entries.T0.AddSeconds(20));
        Assert.True(await Rig.Replication.FlushAsync(default));
        var both = RedisStamps.Format(Entries.T0.AddSeconds(20));
        Assert.Equal($"{both}:{both}", await ClockValueAsync(key));

        await using var other = await RedisStoreRig.ConnectAsync(redis.ConnectionString, _prefix, _time, o => o.MaxStaleAgeSeconds = 3600);
        other.Clock.MarkStale(key, Entries.T0.AddSeconds(1));                     // an older stamp from another replica
        Assert.True(await other.Replication.FlushAsync(default));
        Assert.Equal($"{both}:{both}", await ClockValueAsync(key));
        Assert.Equal(-1, await PTtlAsync(_prefix + "clock"));                   // never evicted by volatile-lru
    }

    [Fact]
    public async Task Resynchronise_AppliesEveryStampToAnotherReplicasClock_AndDropsObsoleteOnes()
    {
        Rig.Clock.MarkStale(ClockKeys.Tag("a"), Entries.T0);
        Rig.Clock.MarkExpired(ClockKeys.Path("/b"), Entries.T0.AddSeconds(1));
        Rig.Clock.MarkStale(ClockKeys.Tag("ancient"), Entries.T0.AddDays(-30));
        Assert.True(await Rig.Replication.FlushAsync(default));

        await using var other = await RedisStoreRig.ConnectAsync(redis.ConnectionString, _prefix, _time, o => o.MaxStaleAgeSeconds = 3600);
        var applied = await other.Replication.ResynchroniseAsync(other.Clients.Connection!, default);

        Assert.Equal(2, applied);
        Assert.Equal(((DateTimeOffset?)Entries.T0, (DateTimeOffset?)null), other.Clock.Get(ClockKeys.Tag("a")));
        Assert.Equal(((DateTimeOffset?)Entries.T0.AddSeconds(1), (DateTimeOffset?)Entries.T0.AddSeconds(1)), other.Clock.Get(ClockKeys.Path("/b")));
        Assert.Null(await Raw.HGetAsync(_prefix + "clock", ClockKeys.Tag("ancient"), default));
    }

    [Fact]
    public async Task Lock_OneHolderAtATime_ReleasedOnlyByItsOwner()
    {
        var stale = Entries.Make("/hot");
        await Rig.Shared.SetAsync(stale, default);
        await using var other = await RedisStoreRig.ConnectAsync(redis.ConnectionString, _prefix, _time);

        var first = await Rig.Lock.TryAcquireAsync(stale, TimeSpan.FromMinutes(1), default);
        Assert.NotNull(first);
        Assert.Null(await other.Lock.TryAcquireAsync(stale, TimeSpan.FromMinutes(1), default));

        await Raw.SetAsync(_prefix + "lock:/hot", "someone-else"u8.ToArray(), TimeSpan.FromMinutes(1), RedisSetCondition.Always, default);
        await first.DisposeAsync();                                               // not the holder any more: must not delete
        Assert.Equal("someone-else"u8.ToArray(), await Raw.GetAsync(_prefix + "lock:/hot", default));

        await Raw.DelAsync(_prefix + "lock:/hot", default);
        var second = await other.Lock.TryAcquireAsync(stale, TimeSpan.FromMinutes(1), default);
        Assert.NotNull(second);
        Assert.Equal(-1, await PTtlAsync(_prefix + "lock:/hot"));               // never evicted by volatile-lru
        await second.DisposeAsync();
        Assert.Null(await Raw.GetAsync(_prefix + "lock:/hot", default));
    }

    [Fact]
    public async Task Lock_WhenANewerRenderIsStored_IsNotNeeded()
    {
        var stale = Entries.Make("/hot");
        await Rig.Shared.SetAsync(Entries.Make("/hot", renderStartedAt: Entries.T0.AddSeconds(1)), default);

        Assert.Null(await Rig.Lock.TryAcquireAsync(stale, TimeSpan.FromMinutes(1), default));
        Assert.Null(await Raw.GetAsync(_prefix + "lock:/hot", default));
    }

    [Fact]
    public async Task Layered_NotSynchronised_ReadsTheEntrysStampsFromRedis()
    {
        var entry = Entries.Make("/blog/a", tags: ["blog"]);
        await Rig.Layered.SetAsync(entry, default);
        await using var purger = await RedisStoreRig.ConnectAsync(redis.ConnectionString, _prefix, _time);
        purger.Clock.MarkStale(ClockKeys.Tag("blog"), Entries.T0.AddSeconds(1));
        Assert.True(await purger.Replication.FlushAsync(default));

        var read = await Rig.Layered.GetAsync("/blog/a", default);

        Assert.False(Rig.Layered.IsSynchronised);
        Assert.NotNull(read);
        Assert.Equal(Entries.T0.AddSeconds(1), Rig.Clock.Evaluate(read.ClockKeys, read.RenderStartedAt).StaleSince);
        Assert.Equal(0, Rig.Stats.L1Hits);
        Assert.Equal(1, Rig.Stats.RedisReads);
    }

    [Fact]
    public async Task Mark_RemovesATtlLeftOnTheClockHash()
    {
        Rig.Clock.MarkStale(ClockKeys.Tag("a"), Entries.T0);
        Assert.True(await Rig.Replication.FlushAsync(default));
        await Raw.ExecuteAsync(new RedisCommand("PEXPIRE", _prefix + "clock", 60_000), default);

        Rig.Clock.MarkStale(ClockKeys.Tag("b"), Entries.T0);
        Assert.True(await Rig.Replication.FlushAsync(default));

        Assert.Equal(-1, await PTtlAsync(_prefix + "clock"));
    }

    [Fact]
    public async Task Lock_PastItsDeadline_IsTakenOver()
    {
        var stale = Entries.Make("/hot");
        await Rig.Shared.SetAsync(stale, default);
        await using var other = await RedisStoreRig.ConnectAsync(redis.ConnectionString, _prefix, _time);

        var first = await Rig.Lock.TryAcquireAsync(stale, TimeSpan.FromMilliseconds(50), default);
        Assert.NotNull(first);
        Assert.Null(await other.Lock.TryAcquireAsync(stale, TimeSpan.FromMinutes(1), default));
        await Task.Delay(200);

        var second = await other.Lock.TryAcquireAsync(stale, TimeSpan.FromMinutes(1), default);
        Assert.NotNull(second);
        await first.DisposeAsync();                                               // expired and taken over: must not delete
        Assert.NotNull(await Raw.GetAsync(_prefix + "lock:/hot", default));
        await second.DisposeAsync();
        Assert.Null(await Raw.GetAsync(_prefix + "lock:/hot", default));
    }

    private async Task<long> PTtlAsync(string key) => (await Raw.ExecuteAsync(new RedisCommand("PTTL", key), default)).AsInt64();

    private async Task<string?> ClockValueAsync(string clockKey)
        => await Raw.HGetAsync(_prefix + "clock", clockKey, default) is { } value ? Encoding.ASCII.GetString(value) : null;
}
