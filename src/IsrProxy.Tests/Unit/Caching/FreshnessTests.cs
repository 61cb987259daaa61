using IsrProxy.Caching;
using IsrProxy.Storage;
using IsrProxy.Tests.Unit.Storage;

namespace IsrProxy.Tests.Unit.Caching;

public sealed class FreshnessTests
{
    private static readonly DateTimeOffset T0 = Entries.T0;
    private readonly TagClock _clock = new();

    [Fact]
    public void NoEntry_IsMissing() => Assert.Equal(FreshnessState.Missing, Freshness.Evaluate(null, _clock, T0).State);

    [Fact]
    public void BeforeRevalidate_Fresh_WithTimeToLive()
    {
        var f = Freshness.Evaluate(Entries.Make("/a", revalidate: TimeSpan.FromSeconds(60)), _clock, T0.AddSeconds(18));

        Assert.Equal(new Freshness(FreshnessState.Fresh, TimeSpan.FromSeconds(42)), f);
    }

    [Fact]
    public void RevalidateFalse_FreshForever_WithoutTtl()
    {
        var f = Freshness.Evaluate(Entries.Make("/a"), _clock, T0.AddYears(5));

        Assert.Equal(new Freshness(FreshnessState.Fresh, null), f);
    }

    [Fact]
    public void AtAndPastRevalidate_Stale_WithNegativeTtl()
    {
        var entry = Entries.Make("/a", revalidate: TimeSpan.FromSeconds(60));

        Assert.Equal(FreshnessState.Stale, Freshness.Evaluate(entry, _clock, T0.AddSeconds(60)).State);
        Assert.Equal(TimeSpan.FromSeconds(-12), Freshness.Evaluate(entry, _clock, T0.AddSeconds(72)).TimeToLive);
    }

    [Fact]
    public void PastMaxStale_Missing()
    {
        var entry = Entries.Make("/a", revalidate: TimeSpan.FromSeconds(60), maxStale: TimeSpan.FromSeconds(30));

        Assert.Equal(FreshnessState.Stale, Freshness.Evaluate(entry, _clock, T0.AddSeconds(89)).State);
        Assert.Equal(FreshnessState.Missing, Freshness.Evaluate(entry, _clock, T0.AddSeconds(90)).State);
    }

    [Fact]
    public void StaleStampOnATag_Stale_ExpireStamp_Missing()
    {
        var entry = Entries.Make("/a", tags: ["t"]);
        _clock.MarkStale(ClockKeys.Tag("t"), T0.AddSeconds(1));
        Assert.Equal(FreshnessState.Stale, Freshness.Evaluate(entry, _clock, T0.AddSeconds(2)).State);

        _clock.MarkExpired(ClockKeys.Tag("t"), T0.AddSeconds(3));
        Assert.Equal(FreshnessState.Missing, Freshness.Evaluate(entry, _clock, T0.AddSeconds(4)).State);
    }

    [Fact]
    public void UsableOnError_WithinStaleIfError_NotAfterAnExpirePurge()
    {
        var entry = Entries.Make("/a", revalidate: TimeSpan.FromSeconds(10), maxStale: TimeSpan.FromSeconds(10), staleIfError: TimeSpan.FromSeconds(100));

        Assert.True(Freshness.UsableOnError(entry, _clock, T0.AddSeconds(50)));
        Assert.False(Freshness.UsableOnError(entry, _clock, T0.AddSeconds(200)));
        _clock.MarkExpired(ClockKeys.Path("/a"), T0.AddSeconds(1));
        Assert.False(Freshness.UsableOnError(entry, _clock, T0.AddSeconds(50)));
    }
}
