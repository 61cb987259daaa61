using IsrProxy.Caching.Http;

namespace IsrProxy.Tests.Unit.Caching.Http;

public sealed class CacheStatusHeaderTests
{
    [Theory]
    [InlineData(42, "IsrProxy; hit; ttl=42")]
    [InlineData(0, "IsrProxy; hit; ttl=0")]
    [InlineData(31536000, "IsrProxy; hit; ttl=31536000")]
    public void Hit_TtlSeconds_IsWrittenAsTtl(long ttl, string expected)
    {
        Assert.Equal(expected, CacheStatusHeader.Hit(ttl));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(60)]
    [InlineData(4095)]
    public void Hit_SmallTtl_IsMadeOnce_NotOnEveryHit(long ttl)
    {
        Assert.Same(CacheStatusHeader.Hit(ttl), CacheStatusHeader.Hit(ttl));
    }

    [Fact]
    public void Hit_LargeTtl_IsStillWrittenInFull()
    {
        Assert.Equal("IsrProxy; hit; ttl=4096", CacheStatusHeader.Hit(4096));
        Assert.Equal("IsrProxy; hit; ttl=-1", CacheStatusHeader.Hit(-1));
    }

    [Theory]
    [InlineData(12, "IsrProxy; hit; ttl=-12")]
    [InlineData(0, "IsrProxy; hit; ttl=0")]
    [InlineData(86400, "IsrProxy; hit; ttl=-86400")]
    public void Stale_SecondsPastRevalidate_IsWrittenAsNegativeTtl(long secondsPast, string expected)
    {
        Assert.Equal(expected, CacheStatusHeader.Stale(secondsPast));
    }

    [Fact]
    public void Stale_NegativeArgument_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CacheStatusHeader.Stale(-1));

        Assert.Contains("-1", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, false, "IsrProxy; fwd=uri-miss")]
    [InlineData(true, false, "IsrProxy; fwd=uri-miss; stored")]
    [InlineData(false, true, "IsrProxy; fwd=uri-miss; collapsed")]
    [InlineData(true, true, "IsrProxy; fwd=uri-miss; stored; collapsed")]
    public void Miss_StoredAndCollapsed_AreFlags(bool stored, bool collapsed, string expected)
    {
        Assert.Equal(expected, CacheStatusHeader.Miss(stored, collapsed));
    }

    [Theory]
    [InlineData(false, false, "set-cookie", "IsrProxy; fwd=uri-miss; detail=set-cookie")]
    [InlineData(false, true, "no-store", "IsrProxy; fwd=uri-miss; collapsed; detail=no-store")]
    [InlineData(false, false, null, "IsrProxy; fwd=uri-miss")]
    [InlineData(false, false, "", "IsrProxy; fwd=uri-miss")]
    [InlineData(true, false, null, "IsrProxy; fwd=uri-miss; stored")]
    [InlineData(false, false, "two words", "IsrProxy; fwd=uri-miss; detail=\"two words\"")]
    [InlineData(false, false, "a\"b\\c", "IsrProxy; fwd=uri-miss; detail=\"a\\\"b\\\\c\"")]
    public void Miss_WithDetail_AppendsDetail(bool stored, bool collapsed, string? detail, string expected)
    {
        Assert.Equal(expected, CacheStatusHeader.Miss(stored, collapsed, detail));
    }

    [Fact]
    public void Miss_DetailWithControlCharacter_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => CacheStatusHeader.Miss(false, false, "bad\nvalue"));

        Assert.Contains("bad\nvalue", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bypass", "cookie", "IsrProxy; fwd=bypass; detail=cookie")]
    [InlineData("bypass", "authorization", "IsrProxy; fwd=bypass; detail=authorization")]
    [InlineData("bypass", "draft-mode", "IsrProxy; fwd=bypass; detail=draft-mode")]
    [InlineData("bypass", "force-dynamic", "IsrProxy; fwd=bypass; detail=force-dynamic")]
    [InlineData("bypass", "revalidate-zero", "IsrProxy; fwd=bypass; detail=revalidate-zero")]
    [InlineData("bypass", "development", "IsrProxy; fwd=bypass; detail=development")]
    [InlineData("bypass", "upgrade", "IsrProxy; fwd=bypass; detail=upgrade")]
    [InlineData("method", null, "IsrProxy; fwd=method")]
    [InlineData("bypass", null, "IsrProxy; fwd=bypass")]
    public void Bypass_ForwardAndDetail_AreWritten(string forward, string? detail, string expected)
    {
        Assert.Equal(expected, CacheStatusHeader.Bypass(forward, detail));
    }

    [Theory]
    [InlineData("")]
    [InlineData("by pass")]
    [InlineData("1bypass")]
    public void Bypass_ForwardNotAToken_Throws(string forward)
    {
        var error = Assert.Throws<ArgumentException>(() => CacheStatusHeader.Bypass(forward, null));

        Assert.Contains($"'{forward}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "IsrProxy; hit; ttl=1", "IsrProxy; hit; ttl=1")]
    [InlineData("", "IsrProxy; hit; ttl=1", "IsrProxy; hit; ttl=1")]
    [InlineData("  ", "IsrProxy; hit; ttl=1", "IsrProxy; hit; ttl=1")]
    [InlineData("Nginx; fwd=uri-miss", "IsrProxy; hit; ttl=1", "Nginx; fwd=uri-miss, IsrProxy; hit; ttl=1")]
    [InlineData("A; hit, B; fwd=miss ", "IsrProxy; fwd=bypass", "A; hit, B; fwd=miss, IsrProxy; fwd=bypass")]
    public void Append_OriginValue_ComesFirst(string? originValue, string member, string expected)
    {
        Assert.Equal(expected, CacheStatusHeader.Append(originValue, member));
    }

    [Theory]
    [InlineData("None", null)]
    [InlineData("NoStore", "no-store")]
    [InlineData("Private", "private")]
    [InlineData("SetCookie", "set-cookie")]
    [InlineData("NoCache", "no-cache")]
    [InlineData("ZeroLifetime", "zero-lifetime")]
    [InlineData("VaryStar", "vary-star")]
    [InlineData("Status", "status")]
    [InlineData("TooLarge", "too-large")]
    [InlineData("OriginError", "origin-error")]
    public void DetailToken_EachReason_IsKebabCase(string reason, string? expected)
    {
        Assert.Equal(expected, CacheStatusHeader.DetailToken(Enum.Parse<NotStoredReason>(reason)));
    }

    [Fact]
    public void DetailToken_EveryDefinedReason_HasAMapping()
    {
        foreach (var reason in Enum.GetValues<NotStoredReason>())
        {
            var token = CacheStatusHeader.DetailToken(reason);
            Assert.True(reason == NotStoredReason.None ? token is null : token is { Length: > 0 }, reason.ToString());
        }
    }

    [Fact]
    public void DetailToken_UndefinedReason_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CacheStatusHeader.DetailToken((NotStoredReason)99));
    }
}
