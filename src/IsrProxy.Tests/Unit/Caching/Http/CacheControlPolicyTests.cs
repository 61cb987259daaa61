using IsrProxy.Caching.Http;

namespace IsrProxy.Tests.Unit.Caching.Http;

public sealed class CacheControlPolicyTests
{
    [Theory]
    [InlineData("max-age=60", 60)]
    [InlineData("s-maxage=30", 30)]
    [InlineData("max-age=60, s-maxage=30", 30)]
    [InlineData("s-maxage=300, max-age=60", 300)]
    [InlineData("public", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("max-age=0", 0)]
    [InlineData("MAX-AGE=60", 60)]
    [InlineData("S-MaxAge=45, Max-Age=60", 45)]
    [InlineData("max-age=\"90\"", 90)]
    [InlineData("max-age = 75", 75)]
    [InlineData("max-age=60, max-age=10", 10)]
    [InlineData("max-age=10, max-age=60", 10)]
    [InlineData("s-maxage=60, s-maxage=abc", 60)]
    [InlineData("max-age=-5", null)]
    [InlineData("max-age=abc", null)]
    [InlineData("max-age=1.5", null)]
    [InlineData("max-age=", null)]
    [InlineData("max-age", null)]
    [InlineData("s-maxage=-1, max-age=20", 20)]
    [InlineData("max-age=60,,, ,public", 60)]
    public void Evaluate_CacheControlOnly_UsesSMaxAgeThenMaxAge(string? cacheControl, int? expectedSeconds)
    {
        var result = CacheControlPolicy.Evaluate([], cacheControl, hasSetCookie: false, vary: null);

        Assert.Equal(Seconds(expectedSeconds), result.Lifetime);
        Assert.Equal(NotStoredReason.None, result.Refusal);
    }

    [Theory]
    [InlineData(null, "Thu, 01 Jan 2099 00:10:00 GMT", "Thu, 01 Jan 2099 00:00:00 GMT", 600)]
    [InlineData(null, "Thu, 01 Jan 2099 00:00:00 GMT", "Thu, 01 Jan 2099 00:10:00 GMT", 0)]
    [InlineData(null, "0", "Thu, 01 Jan 2099 00:00:00 GMT", 0)]
    [InlineData(null, "Thu, 01 Jan 2099 00:01:00 GMT", null, 60)]
    [InlineData("max-age=5", "Thu, 01 Jan 2099 00:10:00 GMT", "Thu, 01 Jan 2099 00:00:00 GMT", 5)]
    [InlineData("public", null, "Thu, 01 Jan 2099 00:00:00 GMT", null)]
    public void Evaluate_Expires_GivesTheLifetimeOnlyWithoutMaxAge(string? cacheControl, string? expires, string? date, int? expectedSeconds)
    {
        var now = new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var result = CacheControlPolicy.Evaluate([], cacheControl, hasSetCookie: false, vary: null, expires, date, now);

        Assert.Equal(Seconds(expectedSeconds), result.Lifetime);
    }

    [Fact]
    public void Evaluate_Expires_IsIgnoredWhenATargetedFieldDecides()
    {
        var result = CacheControlPolicy.Evaluate(["public"], null, hasSetCookie: false, vary: null, "Thu, 01 Jan 2099 00:10:00 GMT", null, DateTimeOffset.UnixEpoch);

        Assert.Null(result.Lifetime);
    }

    [Theory]
    [InlineData("s-maxage=60, stale-while-revalidate", 60, null, true, "None")]
    [InlineData("s-maxage=31536000, stale-while-revalidate", 31536000, null, true, "None")]
    [InlineData("private, no-cache, no-store, max-age=0, must-revalidate", 0, null, false, "NoStore")]
    [InlineData("s-maxage=60, stale-while-revalidate=300", 60, 300, false, "None")]
    [InlineData("public, max-age=0, must-revalidate", 0, null, false, "None")]
    public void Evaluate_NextJsHeaders_AreUnderstood(string cacheControl, int? lifetime, int? swr, bool unbounded, string refusal)
    {
        var result = CacheControlPolicy.Evaluate([null, null], cacheControl, hasSetCookie: false, vary: null);

        Assert.Equal(Seconds(lifetime), result.Lifetime);
        Assert.Equal(Seconds(swr), result.StaleWhileRevalidate);
        Assert.Equal(unbounded, result.StaleWhileRevalidateUnbounded);
        Assert.Equal(refusal, result.Refusal.ToString());
    }

    [Theory]
    [InlineData("stale-while-revalidate=30", 30, false)]
    [InlineData("stale-while-revalidate", null, true)]
    [InlineData("STALE-WHILE-REVALIDATE", null, true)]
    [InlineData("stale-while-revalidate=30, stale-while-revalidate=10", 10, false)]
    [InlineData("stale-while-revalidate, stale-while-revalidate=10", 10, false)]
    [InlineData("stale-while-revalidate=10, stale-while-revalidate", 10, false)]
    [InlineData("stale-while-revalidate=abc", null, false)]
    [InlineData("stale-while-revalidate=-3", null, false)]
    [InlineData("stale-while-revalidate=\"40\"", 40, false)]
    [InlineData("max-age=60", null, false)]
    public void Evaluate_StaleWhileRevalidate_IsBoundedUnboundedOrAbsent(string cacheControl, int? expected, bool unbounded)
    {
        var result = CacheControlPolicy.Evaluate([], cacheControl, hasSetCookie: false, vary: null);

        Assert.Equal(Seconds(expected), result.StaleWhileRevalidate);
        Assert.Equal(unbounded, result.StaleWhileRevalidateUnbounded);
    }

    [Theory]
    [InlineData("stale-if-error=600", 600)]
    [InlineData("stale-if-error=600, stale-if-error=60", 60)]
    [InlineData("stale-if-error", null)]
    [InlineData("stale-if-error=x", null)]
    [InlineData("max-age=1", null)]
    public void Evaluate_StaleIfError_IsReadAsSeconds(string cacheControl, int? expected)
    {
        var result = CacheControlPolicy.Evaluate([], cacheControl, hasSetCookie: false, vary: null);

        Assert.Equal(Seconds(expected), result.StaleIfError);
    }

    [Theory]
    [InlineData("no-store", false, null, "NoStore")]
    [InlineData("NO-STORE", false, null, "NoStore")]
    [InlineData("max-age=60, no-store", false, null, "NoStore")]
    [InlineData("must-understand, no-store", false, null, "NoStore")]
    [InlineData("private", false, null, "Private")]
    [InlineData("Private, max-age=60", false, null, "Private")]
    [InlineData("private=\"set-cookie\"", false, null, "Private")]
    [InlineData("private=\"set-cookie, x\", max-age=60", false, null, "Private")]
    [InlineData("no-cache", false, null, "NoCache")]
    [InlineData("no-cache=\"a, b\"", false, null, "NoCache")]
    [InlineData("no-cache, private", false, null, "Private")]
    [InlineData("private, no-store", false, null, "NoStore")]
    [InlineData("max-age=60", true, null, "SetCookie")]
    [InlineData("no-store", true, null, "NoStore")]
    [InlineData("max-age=60", false, "*", "VaryStar")]
    [InlineData("max-age=60", false, "accept-language, *", "VaryStar")]
    [InlineData("max-age=60", false, " * ", "VaryStar")]
    [InlineData("max-age=60", true, "*", "SetCookie")]
    [InlineData("max-age=60", false, "accept-encoding, rsc", "None")]
    [InlineData("max-age=60", false, "x-*", "None")]
    [InlineData("garbage here, no-store, \"", false, null, "NoStore")]
    [InlineData("public, max-age=60", false, "", "None")]
    public void Evaluate_Refusals_AreReportedInPrecedenceOrder(string cacheControl, bool hasSetCookie, string? vary, string expected)
    {
        var result = CacheControlPolicy.Evaluate([], cacheControl, hasSetCookie, vary);

        Assert.Equal(expected, result.Refusal.ToString());
    }

    [Theory]
    [InlineData("max-age=99999999999999999999")]
    [InlineData("max-age=2147483649")]
    [InlineData("max-age=2147483648")]
    public void Evaluate_HugeDeltaSeconds_IsCappedAtTwoToThe31(string cacheControl)
    {
        var result = CacheControlPolicy.Evaluate([], cacheControl, hasSetCookie: false, vary: null);

        Assert.Equal(TimeSpan.FromSeconds(2147483648), result.Lifetime);
    }

    [Fact]
    public void Evaluate_QuotedStringWithCommas_DoesNotBreakFollowingDirectives()
    {
        var result = CacheControlPolicy.Evaluate([], "no-cache=\"set-cookie, max-age=5\", s-maxage=120, stale-while-revalidate=7", false, null);

        Assert.Equal(TimeSpan.FromSeconds(120), result.Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(7), result.StaleWhileRevalidate);
        Assert.Equal(NotStoredReason.NoCache, result.Refusal);
    }

    [Fact]
    public void Evaluate_EscapedQuoteInsideQuotedString_DoesNotEndIt()
    {
        var result = CacheControlPolicy.Evaluate([], "private=\"a\\\", max-age=1\", s-maxage=50", false, null);

        Assert.Equal(TimeSpan.FromSeconds(50), result.Lifetime);
        Assert.Equal(NotStoredReason.Private, result.Refusal);
    }

    // Targeted fields: (IsrProxy-Cache-Control, CDN-Cache-Control, Cache-Control) -> lifetime, refusal.
    [Theory]
    [InlineData(null, "max-age=60", "no-store", 60, "None")]
    [InlineData(null, "max-age=60", "private, max-age=5", 60, "None")]
    [InlineData(null, "max-age=60", "s-maxage=5", 60, "None")]
    [InlineData(null, "no-store", "max-age=60", null, "NoStore")]
    [InlineData(null, "private", "public, max-age=60", null, "Private")]
    [InlineData(null, "no-cache", "max-age=60", null, "NoCache")]
    [InlineData(null, "public", "max-age=60", null, "None")]
    [InlineData(null, "s-maxage=30, max-age=60", "max-age=5", 30, "None")]
    [InlineData("max-age=10", "max-age=60", "max-age=5", 10, "None")]
    [InlineData("no-store", "max-age=60", "max-age=5", null, "NoStore")]
    [InlineData("", "max-age=60", "no-store", 60, "None")]
    [InlineData("   ", "max-age=60", "no-store", 60, "None")]
    [InlineData("max-age=", "max-age=60", "no-store", 60, "None")]
    [InlineData("max-age=10,", "max-age=60", "no-store", 60, "None")]
    [InlineData("Max-Age=10", "max-age=60", "no-store", 60, "None")]
    [InlineData("max-age=\"10", "max-age=60", "no-store", 60, "None")]
    [InlineData(null, "max-age=60;ignored=1", "no-store", 60, "None")]
    [InlineData(null, "Max-Age=60", "max-age=5", 5, "None")]
    [InlineData(null, "max-age=60 junk", "max-age=5", 5, "None")]
    [InlineData(null, "", "max-age=5", 5, "None")]
    [InlineData(null, null, "max-age=5", 5, "None")]
    [InlineData(null, "max-age=\"60\", no-store=?0", "no-store", null, "None")]
    [InlineData(null, "max-age=1.5", "max-age=5", null, "None")]
    [InlineData(null, "max-age=-60", "max-age=5", null, "None")]
    [InlineData(null, "max-age=60, max-age=20", "max-age=5", 20, "None")]
    [InlineData(null, "no-store=?1, max-age=60", null, 60, "NoStore")]
    [InlineData(null, "private=\"set-cookie, x\", max-age=60", null, 60, "Private")]
    [InlineData(null, "private=(\"set-cookie\")", null, null, "Private")]
    public void Evaluate_TargetedFields_FirstValidReplacesCacheControl(
        string? isrProxyCacheControl, string? cdnCacheControl, string? cacheControl, int? lifetime, string refusal)
    {
        var result = CacheControlPolicy.Evaluate([isrProxyCacheControl, cdnCacheControl], cacheControl, hasSetCookie: false, vary: null);

        Assert.Equal(Seconds(lifetime), result.Lifetime);
        Assert.Equal(refusal, result.Refusal.ToString());
    }

    [Theory]
    [InlineData("max-age=60, stale-while-revalidate", null, true, null)]
    [InlineData("max-age=60, stale-while-revalidate=?1", null, true, null)]
    [InlineData("max-age=60, stale-while-revalidate=30, stale-if-error=90", 30, false, 90)]
    [InlineData("max-age=60, stale-while-revalidate=\"30\"", null, false, null)]
    public void Evaluate_TargetedField_ProvidesStaleDirectives(string cdnCacheControl, int? swr, bool unbounded, int? sie)
    {
        var result = CacheControlPolicy.Evaluate(
            [cdnCacheControl], "max-age=5, stale-while-revalidate=999, stale-if-error=999", hasSetCookie: false, vary: null);

        Assert.Equal(Seconds(swr), result.StaleWhileRevalidate);
        Assert.Equal(unbounded, result.StaleWhileRevalidateUnbounded);
        Assert.Equal(Seconds(sie), result.StaleIfError);
    }

    [Theory]
    [InlineData("max-age=60", true, null, "SetCookie")]
    [InlineData("max-age=60", false, "*", "VaryStar")]
    public void Evaluate_TargetedField_DoesNotOverrideSetCookieOrVary(string cdnCacheControl, bool hasSetCookie, string? vary, string expected)
    {
        var result = CacheControlPolicy.Evaluate([cdnCacheControl], "public", hasSetCookie, vary);

        Assert.Equal(expected, result.Refusal.ToString());
    }

    [Theory]
    [InlineData(null, "max-age=0")]
    [InlineData("", "max-age=0")]
    [InlineData("  ", "max-age=0")]
    [InlineData("s-maxage=60, stale-while-revalidate", "stale-while-revalidate, max-age=0")]
    [InlineData("public, s-maxage=60, stale-while-revalidate=300", "public, stale-while-revalidate=300, max-age=0")]
    [InlineData("public, max-age=31536000, immutable", "public, max-age=0")]
    [InlineData("max-age=60, must-revalidate, proxy-revalidate", "max-age=0")]
    [InlineData("PUBLIC, S-MAXAGE=60, Max-Age=10, Immutable, x-ext=\"a, b\", stale-if-error=600",
        "PUBLIC, x-ext=\"a, b\", stale-if-error=600, max-age=0")]
    [InlineData("public,max-age=60,stale-while-revalidate=5", "public, stale-while-revalidate=5, max-age=0")]
    [InlineData("max-age = 60, no-transform", "no-transform, max-age=0")]
    [InlineData("max-age=0", "max-age=0")]
    [InlineData("public, , unknown-ext", "public, unknown-ext, max-age=0")]
    public void RewriteForStale_RemovesFreshnessDirectives_KeepsTheRestInOrder(string? cacheControl, string expected)
    {
        Assert.Equal(expected, CacheControlPolicy.RewriteForStale(cacheControl));
    }

    private static TimeSpan? Seconds(int? seconds) => seconds is null ? null : TimeSpan.FromSeconds(seconds.Value);
}
