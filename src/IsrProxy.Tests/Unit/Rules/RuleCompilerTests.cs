using IsrProxy.Configuration;
using IsrProxy.Rules;
using Microsoft.Extensions.Configuration;

namespace IsrProxy.Tests.Unit.Rules;

public sealed class RuleCompilerTests
{
    [Fact]
    public void Compile_SpecExample_GivesEveryRuleInOrder()
    {
        var set = RouteJson.Compile(
            """
            [
              { "Match": "/blog/{slug}", "Revalidate": 60, "Tags": ["blog"] },
              { "Match": "/products/**", "Revalidate": 300, "Tags": ["collection"] },
              { "Match": "/docs/**", "Revalidate": false, "Fallback": "false", "Prerender": ["/docs/intro"] },
              { "Match": "/cart/**", "Dynamic": "force-dynamic" },
              { "Match": "/**", "Revalidate": false }
            ]
            """,
            out var errors);

        Assert.Empty(errors);
        Assert.Equal([0, 1, 2, 3, 4], set.Rules.Select(rule => rule.Index));
        Assert.Equal(["/blog/{slug}", "/products/**", "/docs/**", "/cart/**", "/**"], set.Rules.Select(rule => rule.Match));
        Assert.Equal(TimeSpan.FromSeconds(60), set.Match("/blog/a").Revalidate);
        Assert.Equal(["collection"], set.Match("/products/x/y").Tags);
        Assert.Equal(FallbackMode.False, set.Match("/docs/intro").Fallback);
        Assert.True(set.Match("/cart").IsNeverCached);
        Assert.Equal(4, set.Match("/about").Index);
    }

    [Fact]
    public void Compile_NoRoutes_IsEmptyWithoutErrors()
    {
        var configuration = RouteJson.Configuration("""{ "Isr": { "Origin": "http://localhost:3000" } }""");
        var errors = new List<string>();

        var set = RuleCompiler.Compile(configuration.GetSection("Isr:Routes"), errors);

        Assert.Empty(errors);
        Assert.Empty(set.Rules);
    }

    [Fact]
    public void Compile_EmptyList_IsEmptyWithoutErrors()
    {
        var set = RouteJson.Compile("[]", out var errors);

        Assert.Empty(errors);
        Assert.Empty(set.Rules);
    }

    [Fact]
    public void Compile_KeysInAnyCase_AreRecognised()
    {
        var rule = RouteJson.Single("""{ "match": "/blog/{slug}", "REVALIDATE": 30, "tags": ["blog"] }""");

        Assert.Equal("/blog/{slug}", rule.Match);
        Assert.Equal(TimeSpan.FromSeconds(30), rule.Revalidate);
        Assert.Equal(["blog"], rule.Tags);
    }

    [Fact]
    public void Compile_UnknownKey_IsRejectedNamingIt()
    {
        var set = RouteJson.Compile(
            """[{ "Match": "/a" }, { "Match": "/b" }, { "Match": "/c" }, { "Match": "/d", "Revalidat": 60 }]""",
            out var errors);

        var error = Assert.Single(errors);
        Assert.StartsWith("Isr:Routes:3: unknown key 'Revalidat'.", error);
        Assert.Contains("Known keys: Match, Revalidate,", error);
        Assert.Equal(3, set.Rules.Count);
    }

    [Fact]
    public void Compile_MissingMatch_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Revalidate": 60 }""");

        Assert.Equal("Isr:Routes:0:Match: is required, for example '/blog/{slug}'.", error);
    }

    [Fact]
    public void Compile_BadPattern_IsRejectedWithKeyAndPattern()
    {
        var error = RouteJson.SingleError("""{ "Match": "/a{b}" }""");

        Assert.StartsWith("Isr:Routes:0:Match: '/a{b}' is not a valid route pattern: ", error);
    }

    [Fact]
    public void Compile_RuleGivenAsString_IsRejected()
    {
        var error = RouteJson.SingleError("\"/blog\"");

        Assert.Equal("Isr:Routes:0: '/blog' is not a route rule; a rule is an object with at least a Match.", error);
    }

    [Fact]
    public void Compile_EmptyRuleObject_IsRejected()
    {
        var error = RouteJson.SingleError("{}");

        Assert.Equal("Isr:Routes:0: the rule is empty; it needs at least a Match.", error);
    }

    [Fact]
    public void Compile_RoutesAsObject_IsRejected()
    {
        RouteJson.Compile("""{ "blog": { "Match": "/blog/{slug}" } }""", out var errors);

        Assert.Equal(["Isr:Routes:blog: 'blog' is not a list position; Isr:Routes must be a list of rules."], errors);
    }

    [Fact]
    public void Compile_RoutesAsString_IsRejected()
    {
        RouteJson.Compile("\"/blog\"", out var errors);

        Assert.Equal(["Isr:Routes: '/blog' is not a list of route rules."], errors);
    }

    [Fact]
    public void Compile_ListItemAsObject_IsRejected()
    {
        var error = RouteJson.SingleError("""{ "Match": "/**", "Tags": [{ "Name": "blog" }] }""");

        Assert.Equal("Isr:Routes:0:Tags:0: is a list or an object; give a single value.", error);
    }

    [Fact]
    public void Compile_SeveralErrors_AreAllReported()
    {
        var set = RouteJson.Compile(
            """
            [
              { "Match": "/ok", "Revalidate": 60 },
              { "Match": "blog", "Revalidate": "soon", "Dynamic": "sometimes", "Tags": ["a,b"] },
              { "Match": "/docs/**", "Fallback": false },
              { "Match": "/x", "Vary": ["Cookie"], "MaxStale": 0, "Typo": 1 }
            ]
            """,
            out var errors);

        Assert.Equal(
            [
                "Isr:Routes:1:Match: 'blog' is not a valid route pattern: it must start with '/'.",
                "Isr:Routes:1:Revalidate: 'soon' is not false, 0 or a number of seconds.",
                "Isr:Routes:1:Dynamic: 'sometimes' is not auto, force-dynamic or force-static.",
                "Isr:Routes:1:Tags:0: 'a,b' is not a valid tag: it contains a comma, which separates tags in tag headers.",
                "Isr:Routes:2:Fallback: 'False' needs Prerender paths or a Sitemap; without them every path matching '/docs/**' would answer 404.",
                "Isr:Routes:3: unknown key 'Typo'.",
                "Isr:Routes:3:MaxStale: '0' is not a positive number of seconds.",
                "Isr:Routes:3:Vary:0: 'Cookie' cannot be in Vary: requests carrying it bypass the cache",
            ],
            errors.Select(error => error.Split(" Known keys:")[0].Split(" (use IgnoreCookies")[0]));
        Assert.Equal(["/ok"], set.Rules.Select(rule => rule.Match));
    }

    [Fact]
    public void Compile_EnvironmentOverride_ReplacesJsonValue()
    {
        // Isr__Routes__0__Revalidate=120 arrives as this key, layered over appsettings.json.
        var configuration = new ConfigurationBuilder()
            .AddConfiguration(RouteJson.Configuration("""{ "Isr": { "Routes": [{ "Match": "/blog/{slug}", "Revalidate": 60 }] } }"""))
            .AddInMemoryCollection([new("Isr:Routes:0:Revalidate", "120"), new("Isr:Routes:1:Match", "/**")])
            .Build();
        var errors = new List<string>();

        var set = RuleCompiler.Compile(configuration.GetSection("Isr:Routes"), errors);

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(120), set.Rules[0].Revalidate);
        Assert.Equal("/**", set.Rules[1].Match);
    }

    [Fact]
    public void Compile_MoreThanTenRules_KeepsNumericOrder()
    {
        var rules = string.Join(", ", Enumerable.Range(0, 12).Select(i => $$"""{ "Match": "/r{{i}}" }"""));

        var set = RouteJson.Compile($"[{rules}]", out var errors);

        Assert.Empty(errors);
        Assert.Equal(Enumerable.Range(0, 12), set.Rules.Select(rule => rule.Index));
        Assert.Equal(11, set.Match("/r11").Index);
    }

    [Fact]
    public void KnownKeys_CoverEveryRouteRuleOption()
    {
        var optionNames = typeof(RouteRuleOptions).GetProperties().Select(property => property.Name);

        Assert.Equal(optionNames.Order(), RuleCompiler.KnownKeys.Order());
    }
}
