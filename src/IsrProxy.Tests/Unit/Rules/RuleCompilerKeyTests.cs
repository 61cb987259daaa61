using IsrProxy.Rules;

namespace IsrProxy.Tests.Unit.Rules;

/// <summary>Each route key, written as JSON the way appsettings.json gives it.</summary>
public sealed class RuleCompilerKeyTests
{
    [Theory]
    [InlineData("60", 60.0)]
    [InlineData("\"60\"", 60.0)]
    [InlineData("0.5", 0.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("0", 0.0)]
    [InlineData("false", null)]
    [InlineData("\"false\"", null)]
    [InlineData("\"FALSE\"", null)]
    [InlineData("null", null)]
    [InlineData("\"\"", null)]
    public void Revalidate_Value_IsParsed(string json, double? expectedSeconds)
    {
        var rule = RouteJson.Single($$"""{ "Match": "/**", "Revalidate": {{json}} }""");

        Assert.Equal(Seconds(expectedSeconds), rule.Revalidate);
    }

    [Fact]
    public void Revalidate_Absent_IsFalse()
    {
        Assert.Null(RouteJson.Single("""{ "Match": "/**" }""").Revalidate);
    }

    [Fact]
    public void Revalidate_Zero_IsNeverCached()
    {
        var rule = RouteJson.Single("""{ "Match": "/**", "Revalidate": 0 }""");

        Assert.Equal(TimeSpan.Zero, rule.Revalidate);
        Assert.True(rule.IsNeverCached);
    }

    [Theory]
    [InlineData("\"soon\"", "'soon' is not false, 0 or a number of seconds.")]
    [InlineData("true", "'True' is not false, 0 or a number of seconds.")]
    [InlineData("-5", "'-5' is not false, 0 or a number of seconds.")]
    [InlineData("\"NaN\"", "'NaN' is not false, 0 or a number of seconds.")]
    [InlineData("\"1,5\"", "'1,5' is not false, 0 or a number of seconds.")]
    [InlineData("9999999999", "'9999999999' is more than 2147483647 seconds.")]
    [InlineData("[60]", "is a list or an object; give a single value.")]
    public void Revalidate_Invalid_IsRejectedWithValue(string json, string message)
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/**", "Revalidate": {{json}} }""");

        Assert.Equal($"Isr:Routes:0:Revalidate: {message}", error);
    }

    [Theory]
    [InlineData("\"auto\"", "Auto")]
    [InlineData("\"force-dynamic\"", "ForceDynamic")]
    [InlineData("\"Force-Static\"", "ForceStatic")]
    [InlineData("null", "Auto")]
    public void Dynamic_Value_IsParsed(string json, string expected)
    {
        var rule = RouteJson.Single($$"""{ "Match": "/**", "Dynamic": {{json}} }""");

        Assert.Equal(Enum.Parse<DynamicMode>(expected), rule.Dynamic);
    }

    [Fact]
    public void Dynamic_Unknown_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/**", "Dynamic": "static" }""");

        Assert.Equal("Isr:Routes:0:Dynamic: 'static' is not auto, force-dynamic or force-static.", error);
    }

    [Theory]
    [InlineData("\"blocking\"", "Blocking")]
    [InlineData("false", "False")]
    [InlineData("\"false\"", "False")]
    [InlineData("\"FALSE\"", "False")]
    public void Fallback_Value_IsParsed(string json, string expected)
    {
        var rule = RouteJson.Single(
            $$"""{ "Match": "/docs/**", "Fallback": {{json}}, "Prerender": ["/docs/intro"] }""");

        Assert.Equal(Enum.Parse<FallbackMode>(expected), rule.Fallback);
    }

    [Fact]
    public void Fallback_Absent_IsBlocking()
    {
        Assert.Equal(FallbackMode.Blocking, RouteJson.Single("""{ "Match": "/**" }""").Fallback);
    }

    [Fact]
    public void Fallback_FalseWithSitemapOnly_IsAccepted()
    {
        var rule = RouteJson.Single("""{ "Match": "/docs/**", "Fallback": false, "Sitemap": "/sitemap.xml" }""");

        Assert.Equal(FallbackMode.False, rule.Fallback);
    }

    [Fact]
    public void Fallback_FalseWithoutPrerenderOrSitemap_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/docs/**", "Fallback": false }""");

        Assert.Equal(
            "Isr:Routes:0:Fallback: 'False' needs Prerender paths or a Sitemap; without them every path matching "
            + "'/docs/**' would answer 404.",
            error);
    }

    [Fact]
    public void Fallback_Unknown_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/**", "Fallback": true }""");

        Assert.Equal("Isr:Routes:0:Fallback: 'True' is not blocking or false.", error);
    }

    [Fact]
    public void Tags_List_IsKeptInOrderWithoutRepeats()
    {
        var rule = RouteJson.Single("""{ "Match": "/**", "Tags": ["blog", "news feed", "blog"] }""");

        Assert.Equal(["blog", "news feed"], rule.Tags);
    }

    [Fact]
    public void Tags_SingleValue_IsAListOfOne()
    {
        Assert.Equal(["blog"], RouteJson.Single("""{ "Match": "/**", "Tags": "blog" }""").Tags);
    }

    [Theory]
    [InlineData("\"\"", "'' is not a valid tag: it is empty.")]
    [InlineData("null", "'' is not a valid tag: it is empty.")]
    [InlineData("\"a,b\"", "'a,b' is not a valid tag: it contains a comma")]
    [InlineData("\"a\\u0001b\"", "is not a valid tag: it contains a control character.")]
    public void Tags_InvalidItem_IsRejectedWithPosition(string json, string message)
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/**", "Tags": ["ok", {{json}}] }""");

        Assert.StartsWith("Isr:Routes:0:Tags:1: ", error);
        Assert.Contains(message, error);
    }

    [Fact]
    public void Tags_LongerThan256_IsRejected()
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/**", "Tags": ["{{new string('t', 257)}}"] }""");

        Assert.Contains("is not a valid tag: it is longer than 256 characters.", error);
        Assert.Empty(RouteJson.Single($$"""{ "Match": "/**", "Tags": ["{{new string('t', 256)}}"] }""").Tags.Single().Skip(256));
    }

    [Fact]
    public void Prerender_Paths_AreKeptAndIndexed()
    {
        var rule = RouteJson.Single("""{ "Match": "/docs/**", "Prerender": ["/docs/intro", "/docs/a/b/", "/docs"] }""");

        Assert.Equal(["/docs/intro", "/docs/a/b/", "/docs"], rule.Prerender);
        Assert.Contains("/docs/a/b/", (IReadOnlySet<string>)rule.PrerenderSet);
        Assert.DoesNotContain("/docs/Intro", (IReadOnlySet<string>)rule.PrerenderSet);
    }

    [Theory]
    [InlineData("docs/intro", "'docs/intro' is not a path starting with '/'.")]
    [InlineData("", "'' is not a path starting with '/'.")]
    [InlineData("/docs/a?x=1", "'/docs/a?x=1' must not contain '?' or '#'; Prerender lists paths only.")]
    [InlineData("/docs/a#top", "'/docs/a#top' must not contain '?' or '#'; Prerender lists paths only.")]
    [InlineData("/blog/a", "'/blog/a' is not matched by this rule's Match '/docs/**', so this rule would never serve it.")]
    public void Prerender_InvalidPath_IsRejected(string path, string message)
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/docs/**", "Prerender": ["/docs/ok", "{{path}}"] }""");

        Assert.Equal($"Isr:Routes:0:Prerender:1: {message}", error);
    }

    [Theory]
    [InlineData("/sitemap.xml")]
    [InlineData("/sitemap.xml?page=2")]
    [InlineData("https://example.com/sitemap.xml")]
    [InlineData("http://localhost:3000/docs-sitemap.xml")]
    public void Sitemap_PathOrUrl_IsKept(string sitemap)
    {
        Assert.Equal(sitemap, RouteJson.Single($$"""{ "Match": "/**", "Sitemap": "{{sitemap}}" }""").Sitemap);
    }

    [Theory]
    [InlineData("sitemap.xml")]
    [InlineData("//cdn.example.com/sitemap.xml")]
    [InlineData("ftp://example.com/sitemap.xml")]
    public void Sitemap_Invalid_IsRejected(string sitemap)
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/**", "Sitemap": "{{sitemap}}" }""");

        Assert.Equal(
            $"Isr:Routes:0:Sitemap: '{sitemap}' is not a path starting with '/' or an absolute http or https URL.",
            error);
    }

    [Theory]
    [InlineData("MaxDuration")]
    [InlineData("MaxStale")]
    public void PositiveSeconds_Valid_IsParsed(string key)
    {
        var rule = RouteJson.Single($$"""{ "Match": "/**", "{{key}}": 30 }""");

        Assert.Equal(TimeSpan.FromSeconds(30), key == "MaxDuration" ? rule.MaxDuration : rule.MaxStale);
    }

    [Theory]
    [InlineData("MaxDuration", "0")]
    [InlineData("MaxDuration", "-1")]
    [InlineData("MaxDuration", "false")]
    [InlineData("MaxStale", "0")]
    [InlineData("MaxStale", "\"a week\"")]
    public void PositiveSeconds_Invalid_IsRejected(string key, string json)
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/**", "{{key}}": {{json}} }""");

        Assert.StartsWith($"Isr:Routes:0:{key}: '", error);
        Assert.EndsWith("' is not a positive number of seconds.", error);
    }

    [Fact]
    public void MaxDurationAndMaxStale_Absent_AreDefaults()
    {
        var rule = RouteJson.Single("""{ "Match": "/**" }""");

        Assert.Null(rule.MaxDuration);
        Assert.Equal(TimeSpan.FromDays(365), rule.MaxStale);
    }

    [Theory]
    [InlineData("10", 10.0, 10.0)]
    [InlineData("0", 0.0, 0.0)]
    [InlineData("false", null, null)]
    [InlineData("null", null, 60.0)]
    public void NotFoundRevalidate_Value_IsParsed(string json, double? configured, double? effective)
    {
        var rule = RouteJson.Single($$"""{ "Match": "/**", "Revalidate": 60, "NotFoundRevalidate": {{json}} }""");

        Assert.Equal(Seconds(configured), rule.NotFoundRevalidate);
        Assert.Equal(Seconds(effective), rule.EffectiveNotFoundRevalidate);
    }

    [Fact]
    public void NotFoundRevalidate_Invalid_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/**", "NotFoundRevalidate": "never" }""");

        Assert.Equal("Isr:Routes:0:NotFoundRevalidate: 'never' is not false, 0 or a number of seconds.", error);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("\"TRUE\"", true)]
    [InlineData("false", false)]
    [InlineData("null", false)]
    public void IgnoreOriginCacheControl_Value_IsParsed(string json, bool expected)
    {
        var rule = RouteJson.Single($$"""{ "Match": "/**", "IgnoreOriginCacheControl": {{json}} }""");

        Assert.Equal(expected, rule.IgnoreOriginCacheControl);
    }

    [Fact]
    public void IgnoreOriginCacheControl_Invalid_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/**", "IgnoreOriginCacheControl": "yes" }""");

        Assert.Equal("Isr:Routes:0:IgnoreOriginCacheControl: 'yes' is not true or false.", error);
    }

    [Theory]
    [InlineData("\"include\"", "Include")]
    [InlineData("\"Ignore\"", "Ignore")]
    [InlineData("null", "Include")]
    public void Query_Word_IsParsed(string json, string expected)
    {
        var rule = RouteJson.Single($$"""{ "Match": "/**", "Query": {{json}} }""");

        Assert.Equal(Enum.Parse<QueryMode>(expected), rule.Query);
        Assert.Empty(rule.QueryAllow);
    }

    [Fact]
    public void Query_List_KeepsOnlyNamedParametersCaseSensitively()
    {
        var rule = RouteJson.Single("""{ "Match": "/**", "Query": ["page", "sort", "page"] }""");

        Assert.Equal(QueryMode.Allow, rule.Query);
        Assert.True(rule.QueryAllow.SetEquals(["page", "sort"]));
        Assert.DoesNotContain("Page", (IReadOnlySet<string>)rule.QueryAllow);
    }

    [Fact]
    public void Query_UnknownWord_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/**", "Query": "page" }""");

        Assert.StartsWith("Isr:Routes:0:Query: 'page' is not include, ignore or a list of query parameter names", error);
    }

    [Fact]
    public void Query_EmptyName_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/**", "Query": ["page", ""] }""");

        Assert.Equal("Isr:Routes:0:Query:1: '' is not a query parameter name.", error);
    }

    [Fact]
    public void Vary_Names_AreLowerCasedDistinctSorted()
    {
        var rule = RouteJson.Single("""{ "Match": "/**", "Vary": ["X-Device", "Accept-Language", "accept-language", "RSC"] }""");

        Assert.Equal(["accept-language", "rsc", "x-device"], rule.Vary);
    }

    [Theory]
    [InlineData("Cookie", "'Cookie' cannot be in Vary: requests carrying it bypass the cache")]
    [InlineData("authorization", "'authorization' cannot be in Vary: requests carrying it bypass the cache")]
    [InlineData("Accept Language", "'Accept Language' is not a request header name.")]
    [InlineData("X-Dev:ice", "'X-Dev:ice' is not a request header name.")]
    [InlineData("*", "'*' is not a request header name.")]
    [InlineData("", "'' is not a request header name.")]
    public void Vary_Invalid_IsRejected(string name, string message)
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/**", "Vary": ["Accept", "{{name}}"] }""");

        Assert.StartsWith($"Isr:Routes:0:Vary:1: {message}", error);
    }

    [Fact]
    public void IgnoreCookies_NamesAndPrefixes_AreKept()
    {
        var rule = RouteJson.Single("""{ "Match": "/**", "IgnoreCookies": ["theme", "_ga*", "*"] }""");

        Assert.True(rule.IgnoreCookies.SetEquals(["theme", "_ga*", "*"]));
        Assert.True(rule.IsCookieIgnored("_ga_XYZ"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a*b")]
    [InlineData("**")]
    [InlineData("my cookie")]
    [InlineData("a=b")]
    public void IgnoreCookies_Invalid_IsRejected(string name)
    {
        var error = RouteJson.SingleError($$"""{ "Match": "/**", "IgnoreCookies": ["{{name}}"] }""");

        Assert.Equal(
            $"Isr:Routes:0:IgnoreCookies:0: '{name}' is not a cookie name; a trailing '*' makes it a prefix, as in '_ga*'.",
            error);
    }

    private static TimeSpan? Seconds(double? seconds) => seconds is { } s ? TimeSpan.FromSeconds(s) : null;
}
