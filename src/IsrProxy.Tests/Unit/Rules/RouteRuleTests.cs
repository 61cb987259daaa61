using IsrProxy.Rules;

namespace IsrProxy.Tests.Unit.Rules;

public sealed class RouteRuleTests
{
    [Theory]
    [InlineData("theme", true)]
    [InlineData("Theme", false)]
    [InlineData("theme2", false)]
    [InlineData("them", false)]
    [InlineData("_ga", true)]
    [InlineData("_ga_ABC123", true)]
    [InlineData("_g", false)]
    [InlineData("x_ga", false)]
    [InlineData("session", false)]
    public void IsCookieIgnored_ExactAndPrefix_MatchOrdinally(string cookie, bool expected)
    {
        var rule = new RouteRule(0, "/**", ignoreCookies: ["theme", "_ga*"]);

        Assert.Equal(expected, rule.IsCookieIgnored(cookie));
    }

    [Fact]
    public void IsCookieIgnored_StarAlone_IgnoresEveryCookie()
    {
        var rule = new RouteRule(0, "/**", ignoreCookies: ["*"]);

        Assert.True(rule.IsCookieIgnored("anything"));
        Assert.True(rule.IsCookieIgnored("session"));
    }

    [Fact]
    public void IsCookieIgnored_NoneConfigured_IgnoresNothing()
    {
        Assert.False(RouteRule.Default.IsCookieIgnored("theme"));
        Assert.Empty(RouteRule.Default.IgnoreCookies);
    }

    [Fact]
    public void Default_HasDocumentedValues()
    {
        var rule = RouteRule.Default;

        Assert.Equal(-1, rule.Index);
        Assert.Equal("/**", rule.Match);
        Assert.True(rule.Pattern.IsMatch("/any/path"));
        Assert.Null(rule.Revalidate);
        Assert.Equal(DynamicMode.Auto, rule.Dynamic);
        Assert.Equal(FallbackMode.Blocking, rule.Fallback);
        Assert.Empty(rule.Tags);
        Assert.Empty(rule.Prerender);
        Assert.Empty(rule.PrerenderSet);
        Assert.Null(rule.Sitemap);
        Assert.Null(rule.MaxDuration);
        Assert.Null(rule.NotFoundRevalidate);
        Assert.Null(rule.EffectiveNotFoundRevalidate);
        Assert.False(rule.IgnoreOriginCacheControl);
        Assert.Equal(TimeSpan.FromDays(365), rule.MaxStale);
        Assert.Equal(QueryMode.Include, rule.Query);
        Assert.Empty(rule.QueryAllow);
        Assert.Empty(rule.Vary);
        Assert.False(rule.IsNeverCached);
    }

    [Fact]
    public void IsNeverCached_ForceDynamic_IsTrue()
    {
        Assert.True(new RouteRule(0, "/**", dynamic: DynamicMode.ForceDynamic).IsNeverCached);
    }

    [Fact]
    public void IsNeverCached_RevalidateZero_IsTrue()
    {
        Assert.True(new RouteRule(0, "/**", revalidate: TimeSpan.Zero).IsNeverCached);
    }

    [Fact]
    public void IsNeverCached_RevalidateSeconds_IsFalse()
    {
        Assert.False(new RouteRule(0, "/**", revalidate: TimeSpan.FromSeconds(60)).IsNeverCached);
        Assert.False(new RouteRule(0, "/**", dynamic: DynamicMode.ForceStatic).IsNeverCached);
    }

    [Fact]
    public void Constructor_Vary_IsLowerCasedDistinctAndSorted()
    {
        var rule = new RouteRule(0, "/**", vary: ["X-Device", "Accept-Language", "accept-language"]);

        Assert.Equal(["accept-language", "x-device"], rule.Vary);
    }

    [Fact]
    public void Constructor_RepeatedTagsAndPrerender_AreKeptOnceInOrder()
    {
        var rule = new RouteRule(0, "/**", tags: ["b", "a", "b"], prerender: ["/y", "/x", "/y"]);

        Assert.Equal(["b", "a"], rule.Tags);
        Assert.Equal(["/y", "/x"], rule.Prerender);
        Assert.True(rule.PrerenderSet.SetEquals(["/x", "/y"]));
    }

    [Fact]
    public void Constructor_InvalidMatch_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RouteRule(0, "/a{b}"));

        Assert.Contains("'/a{b}' is not a valid route pattern", ex.Message);
    }

    [Fact]
    public void EffectiveNotFoundRevalidate_NotConfigured_IsRevalidate()
    {
        var rule = new RouteRule(0, "/**", revalidate: TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.FromSeconds(60), rule.EffectiveNotFoundRevalidate);
    }

    [Fact]
    public void EffectiveNotFoundRevalidate_Indefinite_IsNullDespiteRevalidate()
    {
        var rule = new RouteRule(0, "/**", revalidate: TimeSpan.FromSeconds(60), notFoundRevalidateIndefinite: true);

        Assert.Null(rule.NotFoundRevalidate);
        Assert.Null(rule.EffectiveNotFoundRevalidate);
    }

    [Fact]
    public void EffectiveNotFoundRevalidate_Configured_WinsOverRevalidate()
    {
        var rule = new RouteRule(0, "/**", revalidate: null, notFoundRevalidate: TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(5), rule.EffectiveNotFoundRevalidate);
    }
}
